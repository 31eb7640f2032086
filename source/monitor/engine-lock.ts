import {createHash} from 'node:crypto';
import fs from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import lockfile from 'proper-lockfile';
import {ConfigError} from '../config/config-error.js';
import {bootId, processStat} from '../runner/process-info.js';
import {readGroupRecord, type GroupRecord} from './group-record.js';

/*
One piece past 300 lines: taking a lock, telling a live holder from a dead one, taking over from
the dead, failing closed, and keeping the lock with deadlines on every file operation are one
protocol over one lock path and owner file; apart, the rules of who may take what would scatter.
*/

/** Who holds a lock: written beside it, so a second engine can name the holder. */
export type LockOwner = {
	readonly pid: number;
	readonly host: string;
	readonly since: string;
	readonly bootId?: string | undefined;
	/** The config file the engine runs (its real path). */
	readonly config?: string | undefined;
	/** The metrics folder it owns. */
	readonly metricsFolder?: string | undefined;
	/** Paused, and no cycle running: an agent may be run by hand beside it. */
	readonly idle?: boolean | undefined;
	/** Its control socket, for `attach`, `status` and the other commands. */
	readonly socket?: string | undefined;
};

/** A dead engine whose lock was taken over, and the agents' groups it had recorded. */
export type DeadOwner = {
	/** Undefined when its owner file was empty or half-written. */
	readonly owner: LockOwner | undefined;
	readonly groups: GroupRecord | undefined;
};

export type HeldLock = {
	readonly lockPath: string;
	/** Set when a lock left by a process that is gone was taken over. */
	readonly previous: DeadOwner | undefined;
	readonly release: () => Promise<void>;
	/** Removes the lock at once, for exits that cannot wait (a second signal, a crash). */
	readonly releaseNow: () => void;
	/** Rewrites the owner file with these changes (best effort: it only informs others). */
	readonly updateOwner: (changes: Pick<LockOwner, 'idle'>) => void;
};

export type LockOptions = {
	/** Called once if the lock is lost while held: removed, taken, or its folder not answering. */
	readonly onLost?: (error: Error) => void;
	/** How long a file operation may take before it is abandoned. @default 5000 */
	readonly timeoutMs?: number;
	/** The file system, for tests that make it hang. */
	readonly fileSystem?: LockFileSystem;
	/** More about this engine, for whoever finds the lock held. */
	readonly owner?: Pick<LockOwner, 'config' | 'metricsFolder' | 'socket'>;
};

/** The callback calls proper-lockfile makes, and the two the owner file needs. */
export type LockFileSystem = Pick<
	typeof fs,
	'mkdir' | 'rmdir' | 'stat' | 'utimes' | 'realpath' | 'writeFile' | 'rename'
>;

/** A lock whose owner file cannot be read is taken as dead once it has gone this long unrefreshed. */
const unreadableOwnerStaleMs = 5000;

export const ownerFileOf = (lockPath: string) => `${lockPath}.owner.json`;

/**
Makes this process the one engine of a metrics folder: two engines on one folder would place
every order twice. Fails closed: a folder that cannot be created or written, or that does not
answer within `timeoutMs`, is a ConfigError (exit 2) — an engine without its lock does not trade.
*/
export async function acquireEngineLock(
	folder: string,
	options: LockOptions = {},
): Promise<HeldLock> {
	return acquireLock(path.join(folder, 'moondev.lock'), {
		...options,
		describe: reason => `metrics folder ${folder}: ${reason}`,
		refuse: holder =>
			`${folder}: already in use by moondev-tui ${holder}; two engines would place every order twice. Stop it first (moondev-tui stop), or attach to it (moondev-tui attach).`,
	});
}

/**
One engine per config file, by real path, whatever metrics folder each is given: the lock lives in
a folder of this user's (XDG_RUNTIME_DIR, else the temporary folder), named by the config's path.
*/
export async function acquireConfigLock(
	configFile: string,
	options: LockOptions = {},
): Promise<HeldLock> {
	const lockPath = configLockPathOf(configFile);
	const folder = path.dirname(lockPath);
	return acquireLock(lockPath, {
		...options,
		folderMode: 0o700,
		describe: reason => `the lock of ${configFile} in ${folder}: ${reason}`,
		refuse: holder =>
			`${configFile}: already run by moondev-tui ${holder}; two engines on one config would place every order twice. Stop it first.`,
	});
}

/** The config lock's path: in this user's runtime folder, named by the config's real path. */
function configLockPathOf(configFile: string): string {
	const name = createHash('sha256')
		.update(realPathOf(configFile))
		.digest('hex')
		.slice(0, 16);
	return path.join(runtimeFolder(), 'configs', `${name}.lock`);
}

/** The live engine that runs a config file, whatever its metrics folder, if one does. */
export function liveEngineOfConfig(configFile: string): LockOwner | undefined {
	return liveOwnerOf(configLockPathOf(configFile));
}

/** This user's running engines, one per config, as their config locks' owner files tell. */
export function liveEngines(): LockOwner[] {
	const folder = path.join(runtimeFolder(), 'configs');
	let names: string[];
	try {
		names = fs.readdirSync(folder);
	} catch {
		return [];
	}

	return names
		.filter(name => name.endsWith('.lock'))
		.flatMap(name => liveOwnerOf(path.join(folder, name)) ?? []);
}

/** Where this user's engines note themselves: private to the user. */
export function runtimeFolder(): string {
	const base =
		process.env['XDG_RUNTIME_DIR'] ??
		path.join(tmpdir(), `moondev-tui-${process.getuid?.() ?? 'user'}`);
	return path.join(base, 'moondev-tui');
}

/** A file's real path (links resolved), or its absolute path if it cannot be resolved. */
export function realPathOf(file: string): string {
	try {
		return fs.realpathSync(file);
	} catch {
		return path.resolve(file);
	}
}

async function acquireLock(
	lockPath: string,
	options: LockOptions & {
		/** The mode of the lock's folder, when it has to be created. */
		readonly folderMode?: number;
		readonly describe: (reason: string) => string;
		readonly refuse: (holder: string) => string;
	},
): Promise<HeldLock> {
	const timeoutMs = options.timeoutMs ?? 5000;
	// Until the lock is ours, a failure is a refusal to start, not a lost lock.
	let held = false;
	let lost = false;
	const onLost = (error: Error) => {
		if (held && !lost) {
			lost = true;
			options.onLost?.(error);
		}
	};

	const fileSystem = withTimeouts(
		options.fileSystem ?? fs,
		timeoutMs,
		error => {
			onLost(error);
		},
	);
	const call = async <T>(
		// eslint-disable-next-line @typescript-eslint/no-restricted-types -- Node's callbacks pass null
		run: (callback: (error: Error | null, value?: T) => void) => void,
	) =>
		new Promise<T>((resolve, reject) => {
			run((error, value) => {
				if (error) {
					reject(error);
				} else {
					resolve(value as T);
				}
			});
		});
	const failClosed = (error: unknown): never => {
		if (error instanceof ConfigError) {
			throw error;
		}

		throw new ConfigError(
			`${options.describe(describeError(error))}; moondev-tui does not trade without its one-engine lock`,
		);
	};

	const lockOptions = {
		lockfilePath: lockPath,
		realpath: false,
		// Never judged stale by age: a live holder that is only slow (stopped, a VM paused) keeps it;
		// whether the holder is gone is decided by its pid and boot (isAlive), or by an owner file
		// that never came (isLongUnrefreshed).
		stale: Number.MAX_SAFE_INTEGER,
		update: 2000,
		fs: fileSystem,
		// Losing the lock (its folder removed, a frozen clock) must not crash the engine mid-cycle.
		onCompromised: onLost,
	};
	const folder = path.dirname(lockPath);
	const takeLock = async () => {
		await call<string | undefined>(callback => {
			fileSystem.mkdir(
				folder,
				{
					recursive: true,
					...(options.folderMode ? {mode: options.folderMode} : {}),
				},
				callback,
			);
		});
		return lockfile.lock(lockPath, lockOptions);
	};

	let previous: DeadOwner | undefined;
	let release: (() => Promise<void>) | undefined;
	let ownerNow: LockOwner | undefined;
	try {
		try {
			release = await takeLock();
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
				throw error;
			}

			const owner = readOwner(lockPath);
			if (owner ? isAlive(owner) : !isLongUnrefreshed(lockPath)) {
				const holder = owner
					? `pid ${owner.pid} (since ${owner.since})`
					: 'another process, starting';
				throw new ConfigError(options.refuse(holder));
			}

			// The holder is gone. Taking over is one rename only one successor can win, checked
			// after: a successor that read the same dead owner a moment late must not remove the
			// lock another has just taken.
			const token = `${lockPath}.takeover-${process.pid}`;
			try {
				fs.renameSync(lockPath, token);
			} catch {
				throw new ConfigError(
					options.refuse('that has just taken it over from a dead one'),
				);
			}

			const ownerNowThere = readOwner(lockPath);
			// With a dead owner on file, that file must still be its; with none, the lock must still
			// be the old one nobody refreshes (a fresh one is a successor's, its owner not written yet).
			const stillTheDeadOnes = owner
				? ownerNowThere?.pid === owner.pid &&
					ownerNowThere.since === owner.since
				: isLongUnrefreshed(token);
			if (!stillTheDeadOnes) {
				// Not the dead holder's lock any more: put it back, and leave.
				try {
					fs.renameSync(token, lockPath);
				} catch {
					// Its owner's refresh will tell it.
				}

				throw new ConfigError(
					options.refuse('that has just taken it over from a dead one'),
				);
			}

			// What the dead holder recorded is read before anything of ours replaces it.
			previous = {owner, groups: readGroupRecord(lockPath)};
			fs.rmSync(token, {recursive: true, force: true});
			fs.rmSync(ownerFileOf(lockPath), {force: true});
			try {
				release = await takeLock();
			} catch (retryError) {
				// Another engine took the dead holder's place first: it owns the folder now.
				if ((retryError as NodeJS.ErrnoException).code === 'ELOCKED') {
					throw new ConfigError(
						options.refuse('that has just taken it over from a dead one'),
					);
				}

				throw retryError;
			}
		}

		// A lock left without its folder (removed by hand): what its dead holder recorded still tells.
		if (!previous) {
			const groups = readGroupRecord(lockPath);
			if (groups !== undefined || fs.existsSync(ownerFileOf(lockPath))) {
				previous = {owner: readOwner(lockPath), groups};
			}
		}

		// Written whole or not at all, so a crash never leaves a half owner file behind.
		const owner: LockOwner = {
			pid: process.pid,
			host: hostname(),
			since: new Date().toISOString(),
			bootId: bootId(),
			...options.owner,
		};
		ownerNow = owner;
		const ownerFile = ownerFileOf(lockPath);
		const temporary = `${ownerFile}.${process.pid}.tmp`;
		await call(callback => {
			fileSystem.writeFile(temporary, JSON.stringify(owner), callback);
		});
		await call(callback => {
			fileSystem.rename(temporary, ownerFile, callback);
		});
		held = true;
	} catch (error) {
		await release?.().catch(() => undefined);
		return failClosed(error);
	}

	const releaseLock = release;
	let released = false;
	return {
		lockPath,
		previous,
		async release() {
			if (!released) {
				released = true;
				fs.rmSync(ownerFileOf(lockPath), {force: true});
				await releaseLock().catch(() => undefined);
			}
		},
		updateOwner(changes) {
			if (released || !ownerNow) {
				return;
			}

			ownerNow = {...ownerNow, ...changes};
			const ownerFile = ownerFileOf(lockPath);
			const temporary = `${ownerFile}.${process.pid}.tmp`;
			try {
				fs.writeFileSync(temporary, JSON.stringify(ownerNow));
				fs.renameSync(temporary, ownerFile);
			} catch {
				// The lock's own refresh tells of a folder that went away.
			}
		},
		releaseNow() {
			if (!released) {
				released = true;
				try {
					fs.rmSync(ownerFileOf(lockPath), {force: true});
					fs.rmSync(lockPath, {recursive: true, force: true});
				} catch {
					// Exiting anyway: a lock left behind is taken over by the next engine.
				}
			}
		},
	};
}

/**
The live engine that holds a metrics folder, if one does (its owner file, its pid alive): for
commands that must not act beside a running engine.
*/
export function liveEngineOf(folder: string): LockOwner | undefined {
	return liveOwnerOf(path.join(folder, 'moondev.lock'));
}

/** The owner of a lock, if the lock is there and its owner alive. */
function liveOwnerOf(lockPath: string): LockOwner | undefined {
	if (!fs.existsSync(lockPath)) {
		return undefined;
	}

	const owner = readOwner(lockPath);
	return owner && isAlive(owner) ? owner : undefined;
}

/** The owner file, if it can be read whole. */
export function readOwner(lockPath: string): LockOwner | undefined {
	try {
		const owner = JSON.parse(
			fs.readFileSync(ownerFileOf(lockPath), 'utf8'),
		) as Partial<LockOwner>;
		return Number.isInteger(owner.pid) && typeof owner.host === 'string'
			? (owner as LockOwner)
			: undefined;
	} catch {
		return undefined;
	}
}

/**
A lock with no readable owner is a holder between taking it and writing its pid, unless nobody has
refreshed it for a while: a live holder refreshes it every 2 s.
*/
function isLongUnrefreshed(lockPath: string): boolean {
	try {
		return Date.now() - fs.statSync(lockPath).mtimeMs > unreadableOwnerStaleMs;
	} catch {
		return true;
	}
}

/** Whether the owner still runs; one on another host (a shared folder) is taken as alive. */
function isAlive(owner: LockOwner): boolean {
	if (owner.host !== hostname()) {
		return true;
	}

	// The same pid after a reboot is another process.
	const boot = bootId();
	if (
		owner.bootId !== undefined &&
		boot !== undefined &&
		owner.bootId !== boot
	) {
		return false;
	}

	try {
		process.kill(owner.pid, 0);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}

	// A zombie is dead, only not yet reaped (where PID 1 does not reap, it stays so).
	return processStat(owner.pid)?.state !== 'Z';
}

function describeError(error: unknown): string {
	const {code, message} = error as NodeJS.ErrnoException;
	switch (code ?? '') {
		case 'ENOTDIR':
		case 'EEXIST': {
			return 'a file is in the way where a folder should be';
		}

		case 'EACCES':
		case 'EPERM': {
			return 'permission denied';
		}

		case 'EROFS': {
			return 'the file system is read-only';
		}

		case 'ENOSPC': {
			return 'no space left';
		}

		default: {
			return message;
		}
	}
}

/**
The file system with a deadline on every call: a call that does not answer in time (a hung network
mount) fails with ETIMEDOUT, and `onTimeout` is told, so the lock counts as lost.
*/
function withTimeouts(
	fileSystem: LockFileSystem,
	timeoutMs: number,
	onTimeout: (error: Error) => void,
): LockFileSystem {
	const wrap =
		<Name extends keyof LockFileSystem>(name: Name) =>
		(...args: unknown[]) => {
			const callback = args.pop() as (...results: unknown[]) => void;
			let answered = false;
			const timer = setTimeout(() => {
				answered = true;
				const error = Object.assign(
					new Error(`${name} did not answer within ${timeoutMs / 1000} s`),
					{code: 'ETIMEDOUT'},
				);
				onTimeout(error);
				callback(error);
			}, timeoutMs);
			timer.unref();
			(fileSystem[name] as (...parameters: unknown[]) => void)(
				...args,
				(...results: unknown[]) => {
					if (!answered) {
						answered = true;
						clearTimeout(timer);
						callback(...results);
					}
				},
			);
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
