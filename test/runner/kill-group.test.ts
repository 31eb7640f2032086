import {spawn} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {afterEach, describe, expect, onTestFinished, test} from 'vitest';
import {
	isGroupAlive,
	killAllGroupsNow,
	signalGroup,
	type TrackedGroup,
	trackGroup,
	untrackGroup,
	watchGroups,
} from '../../source/runner/kill-group.js';
import {processStat} from '../../source/runner/process-info.js';
import {temporaryDirectory, waitFor} from '../helpers/index.js';
import {isRunning} from '../helpers/processes.js';

/* Process groups, killed whole: real processes, each group started detached as an agent's is. */

/** A group id that cannot exist: Linux's pid_max is at most 2^22. */
const noSuchGroup = 2 ** 22 + 17;

/** The member: started by the leader, so in its group; it says when it is ready. */
const memberScript = `
const fs = require('node:fs');
const [dir, mode] = process.argv.slice(2);
if (mode === 'ignore-term') {
	process.on('SIGTERM', () => fs.writeFileSync(dir + '/member.term', ''));
}
fs.writeFileSync(dir + '/member.pid', String(process.pid));
setInterval(() => {}, 1000);
`;

/** The leader: starts the member (a grandchild of the test) and waits. */
const leaderScript = `
const {spawn} = require('node:child_process');
const fs = require('node:fs');
const [dir, mode] = process.argv.slice(2);
if (mode === 'ignore-term') {
	process.on('SIGTERM', () => fs.writeFileSync(dir + '/leader.term', ''));
}
spawn(process.execPath, [dir + '/member.cjs', dir, mode], {stdio: 'ignore'});
setInterval(() => {}, 1000);
`;

/** Groups tracked by a test, forgotten after it (the tracking is the module's, shared). */
const tracked = new Set<number>();

afterEach(() => {
	watchGroups(undefined);
	for (const pid of tracked) {
		untrackGroup(pid);
	}

	tracked.clear();
});

function track(pid: number, agent: string) {
	tracked.add(pid);
	trackGroup(pid, agent);
}

/** Kills a group after the test, whatever the test did to it. */
function killAfterTest(pgid: number) {
	onTestFinished(() => {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {
			// Already gone.
		}
	});
}

/**
A Node leader in a process group of its own, and a Node member it started; both ignore SIGTERM
(noting that it came) if asked. Resolves once both run, with their pids.
*/
async function startGroup(mode: 'default' | 'ignore-term' = 'default') {
	const dir = temporaryDirectory();
	writeFileSync(path.join(dir, 'leader.cjs'), leaderScript);
	writeFileSync(path.join(dir, 'member.cjs'), memberScript);
	const child = spawn(
		process.execPath,
		[path.join(dir, 'leader.cjs'), dir, mode],
		{detached: true, stdio: 'ignore'},
	);
	child.unref();
	const leader = child.pid!;
	killAfterTest(leader);
	const memberFile = path.join(dir, 'member.pid');
	await waitFor(
		() =>
			existsSync(memberFile) && readFileSync(memberFile, 'utf8').trim() !== '',
		10_000,
		'the member to start',
	);
	const member = Number(readFileSync(memberFile, 'utf8'));
	return {
		dir,
		leader,
		member,
		termSeen: (who: 'leader' | 'member') =>
			existsSync(path.join(dir, `${who}.term`)),
	};
}

describe('signalling a group', () => {
	test('SIGTERM to the group ends the leader and the member it started', async () => {
		const {leader, member} = await startGroup();
		expect(processStat(member)?.groupId).toBe(leader);
		expect(isGroupAlive(leader)).toBe(true);
		expect(signalGroup(leader, 'SIGTERM')).toBe(true);
		await waitFor(
			() => !isRunning(leader) && !isRunning(member),
			5000,
			'the group to die',
		);
		expect(isGroupAlive(leader)).toBe(false);
	});

	test('a group that ignores SIGTERM lives through it, and SIGKILL after the grace ends it', async () => {
		const group = await startGroup('ignore-term');
		const {leader, member} = group;
		expect(signalGroup(leader, 'SIGTERM')).toBe(true);
		// Both got it (so both were signalled) and both are still there.
		await waitFor(
			() => group.termSeen('leader') && group.termSeen('member'),
			5000,
			'SIGTERM to reach both',
		);
		expect(isRunning(leader)).toBe(true);
		expect(isRunning(member)).toBe(true);
		expect(isGroupAlive(leader)).toBe(true);
		expect(signalGroup(leader, 'SIGKILL')).toBe(true);
		await waitFor(() => !isGroupAlive(leader), 5000, 'the group to die');
		expect(isRunning(leader)).toBe(false);
		expect(isRunning(member)).toBe(false);
	});

	test('the leader gone, its member keeps the group alive and is reached through it', async () => {
		const {leader, member} = await startGroup();
		process.kill(leader, 'SIGKILL');
		await waitFor(() => !isRunning(leader), 5000, 'the leader to die');
		expect(isRunning(member)).toBe(true);
		expect(isGroupAlive(leader)).toBe(true);
		expect(signalGroup(leader, 'SIGKILL')).toBe(true);
		await waitFor(() => !isRunning(member), 5000, 'the member to die');
		expect(isGroupAlive(leader)).toBe(false);
	});

	test('a group with nothing but a zombie left is not alive', async () => {
		const dir = temporaryDirectory();
		const pidFile = path.join(dir, 'zombie.pid');
		// The shell starts a group of one that exits at once, and then becomes a sleep that never
		// reaps it: the group's only member is a zombie for as long as the sleep runs.
		const child = spawn(
			'/bin/sh',
			[
				'-c',
				`setsid /bin/sh -c 'exit 0' & echo $! > ${pidFile}; exec sleep 60`,
			],
			{detached: true, stdio: 'ignore'},
		);
		child.unref();
		killAfterTest(child.pid!);
		await waitFor(
			() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
			5000,
			'the pid file',
		);
		const zombie = Number(readFileSync(pidFile, 'utf8'));
		await waitFor(
			() => processStat(zombie)?.state === 'Z',
			5000,
			'the group of one to exit',
		);
		expect(processStat(zombie)?.groupId).toBe(zombie);
		// The kernel still counts the group: a signal to it succeeds …
		expect(() => {
			process.kill(-zombie, 0);
		}).not.toThrow();
		// … but nothing in it can act on one.
		expect(isGroupAlive(zombie)).toBe(false);
	});

	test('a group that does not exist: not alive, and signalling it says so', () => {
		expect(isGroupAlive(noSuchGroup)).toBe(false);
		expect(signalGroup(noSuchGroup, 'SIGTERM')).toBe(false);
	});
});

describe('tracking groups', () => {
	test('each start and end is told to the listener with every live group', async () => {
		const first = await startGroup();
		const second = await startGroup();
		const seen: Array<Array<[number, TrackedGroup]>> = [];
		watchGroups(groups => {
			seen.push([...groups]);
		});
		track(first.leader, 'risk');
		track(second.leader, 'trading');
		const risk = {
			agent: 'risk',
			startTicks: processStat(first.leader)!.startTicks,
		};
		const trading = {
			agent: 'trading',
			startTicks: processStat(second.leader)!.startTicks,
		};
		// Not tracked: nothing to tell.
		untrackGroup(noSuchGroup);
		untrackGroup(first.leader);
		untrackGroup(first.leader);
		expect(seen).toEqual([
			[[first.leader, risk]],
			[
				[first.leader, risk],
				[second.leader, trading],
			],
			[[second.leader, trading]],
		]);

		// Without a listener, nothing is told.
		watchGroups(undefined);
		untrackGroup(second.leader);
		expect(seen).toHaveLength(3);
	});

	test('a group whose leader is already gone is tracked without its start time', () => {
		const seen: Array<Array<[number, TrackedGroup]>> = [];
		watchGroups(groups => {
			seen.push([...groups]);
		});
		track(noSuchGroup, 'gone');
		expect(seen).toEqual([
			[[noSuchGroup, {agent: 'gone', startTicks: undefined}]],
		]);
	});

	test('killAllGroupsNow SIGKILLs every tracked group, members and all, at once, and forgets them', async () => {
		const stubborn = await startGroup('ignore-term');
		const plain = await startGroup();
		const untracked = await startGroup();
		track(stubborn.leader, 'risk');
		track(plain.leader, 'trading');
		const seen: Array<Array<[number, TrackedGroup]>> = [];
		watchGroups(groups => {
			seen.push([...groups]);
		});
		killAllGroupsNow();
		expect(seen).toEqual([[]]);
		await waitFor(
			() =>
				[stubborn, plain].every(
					group => !isRunning(group.leader) && !isRunning(group.member),
				),
			5000,
			'the tracked groups to die',
		);
		// SIGKILL, not SIGTERM: the one that ignores TERM never saw one.
		expect(stubborn.termSeen('leader')).toBe(false);
		// Only tracked groups.
		expect(isRunning(untracked.leader)).toBe(true);
		expect(isRunning(untracked.member)).toBe(true);
		// Forgotten: ending them later tells nothing.
		untrackGroup(plain.leader);
		expect(seen).toHaveLength(1);
	});
});
