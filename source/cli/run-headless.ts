import type {ResolvedConfig} from '../config/resolved-config.js';
import {systemClock} from '../engine/clock.js';
import {createEngine} from '../engine/create-engine.js';
import {createEventBus} from '../engine/event-bus.js';
import {createJsonPrinter} from '../headless/json-printer.js';
import {createTextPrinter} from '../headless/text-printer.js';
import {runAgent} from '../runner/run-agent.js';
import {exitCodeOf, exitCodes} from './exit-codes.js';
import {createLineWriters} from './output.js';
import {handleInterruptions} from './signals.js';

export type HeadlessOptions = {
	readonly config: ResolvedConfig;
	readonly json: boolean;
	readonly once: boolean;
};

/**
The orchestrator without a TUI: the engine's events printed as text lines or JSON lines. Returns
the exit code: with `--once` the cycle's (contract §2), 130 / 143 when interrupted, else 0.
*/
export async function runHeadless({
	config,
	json,
	once,
}: HeadlessOptions): Promise<number> {
	const bus = createEventBus();
	const engine = createEngine({
		config,
		runAgent,
		clock: systemClock,
		emit: bus.emit,
	});
	const writers = createLineWriters(() => {
		void engine.stop();
	});
	const maxAttempts = new Map(
		config.agents.map(agent => [agent.name, agent.retries + 1]),
	);
	bus.listen(
		json
			? createJsonPrinter(writers.out)
			: createTextPrinter({
					write: writers.out,
					maxAttempts: agent => maxAttempts.get(agent) ?? 1,
				}),
	);
	for (const warning of config.warnings) {
		writers.err(`${config.displayName}: ${warning}`);
	}

	const interruption = handleInterruptions(() => {
		void engine.stop();
	});
	try {
		const outcome = await engine.run({once});
		const interrupted = interruption.exitCode();
		if (interrupted !== undefined) {
			return interrupted;
		}

		return once && outcome ? exitCodeOf(outcome) : exitCodes.ok;
	} finally {
		interruption.dispose();
	}
}
