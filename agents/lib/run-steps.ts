import {parseArgs} from 'node:util';
import process from 'node:process';
import {setTimeout as sleep} from 'node:timers/promises';
import {progress} from './moondev.js';

/** The options every demo agent takes, for the demo's pace and its occasional trouble. */
export type DemoOptions = {
	/** Milliseconds between steps: the demo config sets how long an agent takes. */
	readonly paceMs: number;
	/** Chance (0–1) that this attempt fails, to show retries. */
	readonly failRate: number;
	/** Chance (0–1) that this attempt stalls far past any timeout, to show timeouts. */
	readonly stallRate: number;
	/** Extra options of the agent itself. */
	readonly values: Readonly<Record<string, string | boolean | undefined>>;
};

/** Reads --pace-ms, --fail-rate, --stall-rate and the agent's own string options. */
export function readOptions(own: readonly string[] = []): DemoOptions {
	const {values} = parseArgs({
		args: process.argv.slice(2),
		strict: false,
		options: Object.fromEntries([
			['pace-ms', {type: 'string'}],
			['fail-rate', {type: 'string'}],
			['stall-rate', {type: 'string'}],
			...own.map(name => [name, {type: 'string'}] as const),
		]),
	});
	const number = (name: string, fallback: number) => {
		const value = Number(values[name]);
		return Number.isFinite(value) ? value : fallback;
	};

	return {
		paceMs: number('pace-ms', 300),
		failRate: number('fail-rate', 0),
		stallRate: number('stall-rate', 0),
		values,
	};
}

/**
Runs an agent's steps in order, reporting progress before each one and waiting the pace after
it; may fail or stall first, as the options ask, so the demo shows retries and timeouts.
*/
export async function runSteps(
	options: DemoOptions,
	steps: ReadonlyArray<
		readonly [label: string, work: () => void | Promise<void>]
	>,
): Promise<void> {
	const roll = Math.random();
	for (const [index, [label, work]] of steps.entries()) {
		progress((index / steps.length) * 100, label);

		await work();

		await sleep(options.paceMs);
		if (index === Math.floor(steps.length / 2)) {
			if (roll < options.stallRate) {
				console.log('waiting on a slow upstream API…');
				await sleep(10 * 60 * 1000);
			} else if (roll < options.stallRate + options.failRate) {
				console.error('upstream API returned 503 Service Unavailable');
				process.exit(1);
			}
		}
	}

	progress(100, 'done');
}
