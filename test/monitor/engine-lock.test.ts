import {spawn} from 'node:child_process';
import fs, {existsSync, rmSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {
	afterEach,
	beforeEach,
	describe,
	expect,
	onTestFinished,
	test,
} from 'vitest';
import {holdLocks} from '../../source/cli/hold-locks.js';
import {ConfigError} from '../../source/config/config-error.js';
import {
	acquireEngineLock,
	type LockFileSystem,
	ownerFileOf,
	readOwner,
} from '../../source/monitor/engine-lock.js';
import {bootId, processStat} from '../../source/runner/process-info.js';
import {buildConfig, temporaryDirectory, waitFor} from '../helpers/index.js';
import {isRunning} from '../helpers/processes.js';

/** A file system whose calls named in `hang` never answer, as on a hung network mount. */
function hangingFileSystem(hang: Set<string>): LockFileSystem {
	const wrap =
		(name: keyof LockFileSystem) =>
		(...args: unknown[]) => {
			if (hang.has(name)) {
				return;
			}

			(fs[name] as (...parameters: unknown[]) => void)(...args);
		};

	return {
		mkdir: wrap('mkdir'),
		rmdir: wrap('rmdir'),
		stat: wrap('stat'),
		utimes: wrap('utimes'),
		realpath: wrap('realpath'),
		writeFile: wrap('writeFile'),
		rename: wrap('rename'),
	} as unknown as LockFileSystem;
}

describe('the engine lock', () => {
	test('taken, noted with our pid, and released whole', async () => {
		const folder = path.join(temporaryDirectory(), 'metrics');
		const lock = await acquireEngineLock(folder);
		expect(readOwner(lock.lockPath)).toMatchObject({pid: process.pid});
		await lock.release();
		expect(existsSync(lock.lockPath)).toBe(false);
		expect(existsSync(ownerFileOf(lock.lockPath))).toBe(false);
	});

	test('a metrics folder that does not answer is refused in bounded time, not waited for', async () => {
		const folder = path.join(temporaryDirectory(), 'metrics');
		const started = Date.now();
		const attempt = acquireEngineLock(folder, {
			timeoutMs: 200,
			fileSystem: hangingFileSystem(new Set(['mkdir'])),
		});
		await expect(attempt).rejects.toThrow(ConfigError);
		await expect(attempt).rejects.toThrow(
			`metrics folder ${folder}: mkdir did not answer within 0.2 s; moondev-tui does not trade without its one-engine lock`,
		);
		// Generous: the point is that it ends at all.
		expect(Date.now() - started).toBeLessThan(5000);
	});

	test('a lock whose folder is deleted while held is reported lost', async () => {
		const folder = path.join(temporaryDirectory(), 'metrics');
		const lost: Error[] = [];
		const lock = await acquireEngineLock(folder, {
			onLost(error) {
				lost.push(error);
			},
		});
		rmSync(folder, {recursive: true, force: true});
		// Proper-lockfile refreshes the lock every 2 s and finds it gone.
		await waitFor(() => lost.length > 0, 8000, 'the lock to be lost');
		expect(lost).toHaveLength(1);
		await lock.release();
	}, 15_000);

	test('a refresh that does not answer is a lost lock', async () => {
		const folder = path.join(temporaryDirectory(), 'metrics');
		const hang = new Set<string>();
		const lost: Error[] = [];
		const lock = await acquireEngineLock(folder, {
			timeoutMs: 200,
			fileSystem: hangingFileSystem(hang),
			onLost(error) {
				lost.push(error);
			},
		});
		hang.add('stat');
		await waitFor(() => lost.length > 0, 8000, 'the lock to be lost');
		expect(lost[0]?.message).toBe('stat did not answer within 0.2 s');
		await lock.release();
	}, 15_000);

	test('an owner file that is empty does not block a lock nobody refreshes', async () => {
		const folder = path.join(temporaryDirectory(), 'metrics');
		const first = await acquireEngineLock(folder);
		// As if the holder died between taking the lock and writing its pid, long ago.
		writeFileSync(ownerFileOf(first.lockPath), '');
		const old = new Date(Date.now() - 60_000);
		fs.utimesSync(first.lockPath, old, old);
		const second = await acquireEngineLock(folder);
		expect(second.previous).toEqual({owner: undefined, groups: undefined});
		await second.release();
		await first.release();
	});

	test('a live holder that has not refreshed for long (stopped, a VM paused) keeps its lock', async () => {
		const folder = path.join(temporaryDirectory(), 'metrics');
		const first = await acquireEngineLock(folder);
		const old = new Date(Date.now() - 60_000);
		fs.utimesSync(first.lockPath, old, old);
		// Its pid is alive (this process): never taken as stale by age.
		await expect(acquireEngineLock(folder)).rejects.toThrow(
			`already in use by moondev-tui pid ${process.pid}`,
		);
		await first.release();
	});

	test('a fresh lock with no owner yet is someone starting: refused', async () => {
		const folder = path.join(temporaryDirectory(), 'metrics');
		const first = await acquireEngineLock(folder);
		rmSync(ownerFileOf(first.lockPath));
		await expect(acquireEngineLock(folder)).rejects.toThrow(
			/already in use by moondev-tui another process, starting/,
		);
		await first.release();
	});
});

describe('holding the locks while running', () => {
	let previousRuntime: string | undefined;
	beforeEach(() => {
		previousRuntime = process.env.XDG_RUNTIME_DIR;
		process.env.XDG_RUNTIME_DIR = temporaryDirectory();
	});
	afterEach(() => {
		if (previousRuntime === undefined) {
			delete process.env.XDG_RUNTIME_DIR;
		} else {
			process.env.XDG_RUNTIME_DIR = previousRuntime;
		}
	});

	test('a lost lock is said, tried again, and said again once held', async () => {
		const dir = temporaryDirectory();
		const config = buildConfig(
			{
				orchestrator: {metricsExportDir: 'metrics'},
				agents: {a: {command: ['true']}},
			},
			dir,
		);
		const said: string[] = [];
		const locks = await holdLocks(config, {
			onLost(what) {
				said.push(`lost ${what}`);
			},
			onHeldAgain(what) {
				said.push(`held ${what}`);
			},
		});
		const folder = path.join(dir, 'metrics');
		rmSync(folder, {recursive: true, force: true});
		await waitFor(() => said.length === 2, 12_000, 'lost, then held again');
		expect(said).toEqual([
			`lost the lock of ${folder}`,
			`held the lock of ${folder}`,
		]);
		expect(locks.lost()).toEqual([]);
		expect(readOwner(path.join(folder, 'moondev.lock'))).toMatchObject({
			pid: process.pid,
		});
		await locks.release();
	}, 20_000);

	test('retaken from an engine that held it meanwhile and died: what it left is ended first', async () => {
		const dir = temporaryDirectory();
		const config = buildConfig(
			{
				orchestrator: {metricsExportDir: 'metrics', killGraceSeconds: 1},
				agents: {a: {command: ['true']}},
			},
			dir,
		);
		const said: string[] = [];
		let ended: readonly string[] = [];
		const locks = await holdLocks(config, {
			onLost(what) {
				said.push(`lost ${what}`);
			},
			onHeldAgain(what, groups) {
				said.push(`held ${what}`);
				ended = groups;
			},
		});
		// An engine took the folder while ours lost it, started an agent, and died (its pid is gone).
		const dead = spawn('true');
		await new Promise(resolve => {
			dead.once('exit', resolve);
		});
		const orphan = spawn('sleep', ['60'], {detached: true, stdio: 'ignore'});
		orphan.unref();
		const pgid = orphan.pid!;
		onTestFinished(() => {
			try {
				process.kill(-pgid, 'SIGKILL');
			} catch {
				// Already gone.
			}
		});
		await waitFor(() => processStat(pgid) !== undefined);
		const folder = path.join(dir, 'metrics');
		const lockPath = path.join(folder, 'moondev.lock');
		rmSync(folder, {recursive: true, force: true});
		fs.mkdirSync(lockPath, {recursive: true});
		writeFileSync(
			`${lockPath}.owner.json`,
			JSON.stringify({
				pid: dead.pid,
				host: hostname(),
				since: '2026-11-25T00:00:00.000Z',
				bootId: bootId(),
			}),
		);
		writeFileSync(
			`${lockPath}.groups.json`,
			JSON.stringify({
				version: 1,
				pid: dead.pid,
				bootId: bootId(),
				cycle: 3,
				groups: [
					{pgid, agent: 'trading', startTicks: processStat(pgid)!.startTicks},
				],
			}),
		);
		await waitFor(() => said.length === 2, 15_000, 'lost, then held again');
		expect(ended).toEqual([`trading (group ${pgid})`]);
		expect(isRunning(pgid)).toBe(false);
		expect(readOwner(lockPath)).toMatchObject({pid: process.pid});
		await locks.release();
	}, 25_000);

	const quiet = {
		onLost() {
			// Not lost in this test.
		},
		onHeldAgain() {
			// Not lost in this test.
		},
	};

	test('the config lock refuses a second holder of the same config', async () => {
		const dir = temporaryDirectory();
		const raw = {agents: {a: {command: ['true']}}};
		const first = await holdLocks(
			buildConfig({...raw, orchestrator: {metricsExportDir: 'one'}}, dir),
			quiet,
		);
		await expect(
			holdLocks(
				buildConfig({...raw, orchestrator: {metricsExportDir: 'two'}}, dir),
				quiet,
			),
		).rejects.toThrow(/already run by moondev-tui pid \d+/);
		// The refused one let go of the folder it did take.
		expect(existsSync(path.join(dir, 'two', 'moondev.lock'))).toBe(false);
		await first.release();
	});
});
