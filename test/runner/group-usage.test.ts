import process from 'node:process';
import {execa} from 'execa';
import {afterEach, describe, expect, test} from 'vitest';
import {
	createUsageSampler,
	type GroupUsage,
	readGroups,
} from '../../source/runner/group-usage.js';
import {waitFor} from '../helpers/index.js';

const started: number[] = [];
afterEach(() => {
	for (const pid of started.splice(0)) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// Gone already.
		}
	}
});

/** A process group of its own: a leader that spins a core and holds ~30 MB, and a child that sleeps. */
// eslint-disable-next-line @typescript-eslint/promise-function-async -- the subprocess itself, to read and kill
function startBusyGroup() {
	const child = execa(
		process.execPath,
		[
			'-e',
			String.raw`const hold = Buffer.alloc(30 * 1024 * 1024, 1);
			require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {stdio: 'ignore'});
			require('node:fs').writeSync(1, 'ready\n');
			for (;;) { hold[0]++; }`,
		],
		{detached: true, reject: false},
	);
	started.push(child.pid!);
	return child;
}

describe('group usage', () => {
	test('one /proc pass gives a group’s CPU ticks, memory and members', async () => {
		const child = startBusyGroup();
		const group = child.pid ?? 0;
		await new Promise(resolve => {
			child.stdout?.once('data', resolve);
		});
		await waitFor(
			() => (readGroups(new Set([group])).get(group)?.processes ?? 0) === 2,
			5000,
			'both members',
		);
		const reading = readGroups(new Set([group])).get(group);
		expect(reading?.processes).toBe(2);
		expect(reading?.memoryBytes).toBeGreaterThan(30 * 1024 * 1024);
		expect(readGroups(new Set([999_999_999])).size).toBe(0);
	});

	test('the sampler reports each running agent’s CPU and memory, and stops with the last group', async () => {
		const child = startBusyGroup();
		await new Promise(resolve => {
			child.stdout?.once('data', resolve);
		});
		const samples: Array<ReadonlyMap<string, GroupUsage>> = [];
		const sampler = createUsageSampler({
			intervalMs: 50,
			onSample(usage) {
				samples.push(usage);
			},
		});
		sampler.update(new Map([[child.pid!, {agent: 'spinner'}]]));
		await waitFor(
			() => samples.some(usage => (usage.get('spinner')?.cpuPercent ?? 0) > 20),
			10_000,
			'a busy sample',
		);
		const busy = samples.find(
			usage => (usage.get('spinner')?.cpuPercent ?? 0) > 20,
		);
		expect(busy?.get('spinner')?.memoryBytes).toBeGreaterThan(30 * 1024 * 1024);

		// No group, no timer: nothing more is sampled.
		sampler.update(new Map());
		const count = samples.length;
		await new Promise(resolve => {
			setTimeout(resolve, 200);
		});
		expect(samples).toHaveLength(count);
		sampler.stop();
	});
});
