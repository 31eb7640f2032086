import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import path from 'node:path';
import process from 'node:process';
import lockfile from 'proper-lockfile';
import {ConfigError} from '../config/config-error.js';

export type EngineLock = {
	readonly release: () => Promise<void>;
	/** Set when a lock left by a process that is gone was taken over. */
	readonly warning: string | undefined;
};

type Owner = {
	readonly pid: number;
	readonly host: string;
	readonly since: string;
};

/**
The holder's pid, beside the lock rather than in it: a file created inside the lock folder would
change its mtime, which proper-lockfile reads as the lock being compromised.
*/
const ownerFileOf = (lockPath: string) => `${lockPath}.owner.json`;

/**
Makes this process the one engine of a metrics folder: two engines on one config would place
every order twice. The lock is proper-lockfile's (an atomic mkdir, refreshed while we live, stale
after 10 s without a refresh); inside it we note our pid, so that a second engine can name the
holder, and can take over at once from a holder that is gone (killed with SIGKILL) instead of
waiting for the lock to go stale.
*/
export async function acquireEngineLock(
	folder: string,
	/** Called if the lock is lost while running (removed, or its refresh failed). */
	onCompromised: (error: Error) => void = () => undefined,
): Promise<EngineLock> {
	mkdirSync(folder, {recursive: true});
	const lockPath = path.join(folder, 'moondev.lock');
	const options = {
		lockfilePath: lockPath,
		realpath: false,
		stale: 10_000,
		update: 2000,
		// Losing the lock (its folder removed, a frozen clock) must not crash the engine mid-cycle.
		onCompromised,
	};

	let warning: string | undefined;
	let release: () => Promise<void>;
	try {
		release = await lockfile.lock(folder, options);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
			throw error;
		}

		// No owner yet: another engine is between taking the lock and writing its pid.
		const owner = readOwner(lockPath);
		if (!owner || isAlive(owner)) {
			const holder = owner
				? `pid ${owner.pid} (since ${owner.since})`
				: 'another process, starting';
			throw new ConfigError(
				`${folder}: already in use by moondev-tui ${holder}; two engines would place every order twice. Stop it first, or use --metrics-dir.`,
			);
		}

		warning = `took over the lock of ${folder} from pid ${owner.pid}, which is gone`;
		rmSync(lockPath, {recursive: true, force: true});
		rmSync(ownerFileOf(lockPath), {force: true});
		try {
			release = await lockfile.lock(folder, options);
		} catch (retryError) {
			// Another engine took the dead holder's place first: it owns the folder now.
			if ((retryError as NodeJS.ErrnoException).code === 'ELOCKED') {
				throw new ConfigError(
					`${folder}: already in use by another moondev-tui, which has just taken it over; two engines would place every order twice.`,
				);
			}

			throw retryError;
		}
	}

	const owner: Owner = {
		pid: process.pid,
		host: hostname(),
		since: new Date().toISOString(),
	};
	writeFileSync(ownerFileOf(lockPath), JSON.stringify(owner));
	return {
		warning,
		async release() {
			rmSync(ownerFileOf(lockPath), {force: true});
			await release().catch(() => undefined);
		},
	};
}

function readOwner(lockPath: string): Owner | undefined {
	try {
		return JSON.parse(readFileSync(ownerFileOf(lockPath), 'utf8')) as Owner;
	} catch {
		return undefined;
	}
}

/** Whether the owner still runs; one on another host (a shared folder) is taken as alive. */
function isAlive(owner: Owner): boolean {
	if (owner.host !== hostname()) {
		return true;
	}

	try {
		process.kill(owner.pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
