import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, onTestFinished, test} from 'vitest';
import {endLeftoverGroups} from '../../source/runner/end-leftover-groups.js';
import {bootId, processStat} from '../../source/runner/process-info.js';
import {temporaryDirectory, waitFor} from '../helpers/index.js';
import {isRunning} from '../helpers/processes.js';

/** A process in a group of its own, as an agent left by a dead engine; killed after the test. */
function startOrphanGroup(script: string) {
	const child = spawn('/bin/sh', ['-c', script], {
		detached: true,
		stdio: 'ignore',
	});
	child.unref();
	const pgid = child.pid!;
	onTestFinished(() => {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	});
	return {child, pgid};
}

describe('ending what a dead engine left', () => {
	test('a recorded group led by the same process is ended, TERM first', async () => {
		const dir = temporaryDirectory();
		const marker = path.join(dir, 'term');
		const ready = path.join(dir, 'ready');
		const {pgid} = startOrphanGroup(
			`trap 'echo term > ${marker}; exit 0' TERM; echo > ${ready}; while true; do sleep 0.05; done`,
		);
		await waitFor(() => existsSync(ready), 5000, 'the trap to be set');
		const report = await endLeftoverGroups(
			{
				bootId: bootId(),
				groups: [
					{pgid, agent: 'risk', startTicks: processStat(pgid)!.startTicks},
				],
			},
			3000,
		);
		expect(report.ended.map(group => group.agent)).toEqual(['risk']);
		expect(report.unproven).toEqual([]);
		expect(existsSync(marker)).toBe(true);
		expect(isRunning(pgid)).toBe(false);
	});

	test('one that ignores TERM is killed after the grace', async () => {
		const ready = path.join(temporaryDirectory(), 'ready');
		const {pgid} = startOrphanGroup(
			`trap '' TERM; echo > ${ready}; while true; do sleep 0.05; done`,
		);
		await waitFor(() => existsSync(ready), 5000, 'the trap to be set');
		const report = await endLeftoverGroups(
			{
				bootId: bootId(),
				groups: [
					{pgid, agent: 'copybot', startTicks: processStat(pgid)!.startTicks},
				],
			},
			200,
		);
		expect(report.ended).toHaveLength(1);
		await waitFor(() => !isRunning(pgid), 2000, 'the group to die');
	});

	test('its leader gone, the members it left are ended too', async () => {
		const dir = temporaryDirectory();
		const pidFile = path.join(dir, 'member.pid');
		// The leader starts a member in its group and exits at once.
		const {pgid, child} = startOrphanGroup(
			`sleep 60 & echo $! > ${pidFile}; exit 0`,
		);
		// Read at once: the leader is still there (at worst a zombie) until Node reaps it.
		const leaderStart = processStat(pgid)?.startTicks ?? 0;
		await new Promise(resolve => {
			child.once('exit', resolve);
		});
		await waitFor(
			() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
		);
		const member = Number(readFileSync(pidFile, 'utf8'));
		expect(isRunning(member)).toBe(true);
		const report = await endLeftoverGroups(
			{
				bootId: bootId(),
				groups: [{pgid, agent: 'trading', startTicks: leaderStart}],
			},
			2000,
		);
		expect(report.ended.map(group => group.agent)).toEqual(['trading']);
		await waitFor(() => !isRunning(member), 2000, 'the member to die');
	});

	test("nothing is signalled that cannot be proven the dead engine's", async () => {
		const {pgid} = startOrphanGroup('sleep 60');
		await waitFor(() => processStat(pgid) !== undefined);
		const {startTicks} = processStat(pgid)!;
		const report = await endLeftoverGroups(
			{
				bootId: bootId(),
				groups: [
					// The id now leads a process that started at another time: reused.
					{pgid, agent: 'reused', startTicks: startTicks + 1},
				],
			},
			100,
		);
		expect(report.unproven.map(group => group.agent)).toEqual(['reused']);
		const afterReboot = await endLeftoverGroups(
			{
				bootId: 'another-boot',
				groups: [{pgid, agent: 'rebooted', startTicks}],
			},
			100,
		);
		expect(afterReboot.unproven.map(group => group.agent)).toEqual([
			'rebooted',
		]);
		expect(isRunning(pgid)).toBe(true);
	});

	test('a recorded group that is gone is neither ended nor unproven', async () => {
		const report = await endLeftoverGroups(
			{
				bootId: bootId(),
				groups: [{pgid: 2 ** 22 + 17, agent: 'gone', startTicks: 1}],
			},
			100,
		);
		expect(report).toEqual({ended: [], unproven: []});
	});
});
