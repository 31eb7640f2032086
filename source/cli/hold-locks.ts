import type {ResolvedConfig} from '../config/resolved-config.js';
import {
	acquireConfigLock,
	acquireEngineLock,
	type DeadOwner,
	type HeldLock,
	type LockOptions,
	realPathOf,
} from '../monitor/engine-lock.js';
import {
	type MonitorState,
	withInterruptedCycle,
} from '../monitor/state-file.js';
import {endLeftoverGroups} from '../runner/end-leftover-groups.js';
import {plural} from '../util/format.js';

/** How often a lost lock is tried again. */
const retakeEveryMs = 2000;

export type HeldLocks = {
	/** Where the engine lock is, for the group record beside it. */
	readonly engineLockPath: string;
	/** The dead engine whose metrics folder lock was taken over, if one was. */
	readonly previous: () => DeadOwner | undefined;
	/** The locks lost and not yet held again, by name. */
	readonly lost: () => string[];
	readonly release: () => Promise<void>;
	readonly releaseNow: () => void;
	/** Notes in the metrics folder's owner file whether the engine is idle (paused, no cycle). */
	readonly noteIdle: (idle: boolean) => void;
};

/**
Takes the two locks an engine trades under — one per config file, one per metrics folder — and
keeps them: a lock lost while running is tried again every 2 s, and `onLost` / `onHeldAgain` tell
the session, which holds new cycles meanwhile. Taking either at start fails closed (ConfigError).
*/
export async function holdLocks(
	config: ResolvedConfig,
	events: {
		readonly onLost: (what: string, error: Error) => void;
		/** `ended`: what an engine that held it meanwhile and died left running, now ended. */
		readonly onHeldAgain: (what: string, ended: readonly string[]) => void;
	},
	/** The engine's control socket, written into both owner files for clients to find. */
	socket?: string,
): Promise<HeldLocks> {
	const folder = config.orchestrator.metricsExportDir;
	const owner = {
		config: realPathOf(config.file),
		metricsFolder: folder,
		socket,
	};
	const kinds = [
		{
			what: `the lock of ${folder}`,
			acquire: async (options: LockOptions) =>
				acquireEngineLock(folder, options),
		},
		{
			what: `the lock of ${config.displayName}`,
			acquire: async (options: LockOptions) =>
				acquireConfigLock(config.file, options),
		},
	];

	const held = new Map<string, HeldLock>();
	const lost = new Set<string>();
	const timers = new Map<string, NodeJS.Timeout>();
	let closed = false;

	const take = async (kind: (typeof kinds)[number]) => {
		const lock = await kind.acquire({
			owner,
			onLost(error) {
				if (closed || held.get(kind.what) !== lock) {
					return;
				}

				held.delete(kind.what);
				lost.add(kind.what);
				events.onLost(kind.what, error);
				retake(kind);
			},
		});
		held.set(kind.what, lock);
		return lock;
	};

	const retakeNow = async (kind: (typeof kinds)[number]) => {
		timers.delete(kind.what);
		if (closed) {
			return;
		}

		try {
			const lock = await take(kind);
			if (closed) {
				await lock.release();
				return;
			}

			// Another engine may have held it meanwhile and died: what it left ends before we go on.
			const groups = lock.previous?.groups;
			const report = groups
				? await endLeftoverGroups(
						groups,
						config.orchestrator.killGraceSeconds * 1000,
					)
				: {ended: []};
			lost.delete(kind.what);
			events.onHeldAgain(
				kind.what,
				report.ended.map(group => `${group.agent} (group ${group.pgid})`),
			);
		} catch {
			retake(kind);
		}
	};

	const retake = (kind: (typeof kinds)[number]) => {
		const timer = setTimeout(() => {
			void retakeNow(kind);
		}, retakeEveryMs);
		timer.unref();
		timers.set(kind.what, timer);
	};

	const release = async () => {
		closed = true;
		for (const timer of timers.values()) {
			clearTimeout(timer);
		}

		await Promise.all([...held.values()].map(async lock => lock.release()));
	};

	// The metrics folder first: its refusal names the pid, the message people know.
	const engineLock = await take(kinds[0]!);
	try {
		await take(kinds[1]!);
	} catch (error) {
		await release();
		throw error;
	}

	return {
		engineLockPath: engineLock.lockPath,
		previous: () => engineLock.previous,
		lost: () => [...lost],
		release,
		noteIdle(idle) {
			held.get(kinds[0]!.what)?.updateOwner({idle});
		},
		releaseNow() {
			closed = true;
			for (const lock of held.values()) {
				lock.releaseNow();
			}
		},
	};
}

/**
Ends the agents a dead engine left running and notes its unfinished cycle as interrupted; returns
the warning to show and the state to go on with.
*/
export async function endLeftovers(
	previous: DeadOwner,
	state: MonitorState,
	options: {readonly graceMs: number; readonly folder: string},
): Promise<{warning: string; state: MonitorState}> {
	const pid = previous.owner?.pid;
	const who =
		pid === undefined ? 'an engine that is gone' : `pid ${pid}, which is gone`;
	const record = previous.groups;
	const report = record
		? await endLeftoverGroups(record, options.graceMs)
		: {ended: [], unproven: []};
	const parts = [`took over the lock of ${options.folder} from ${who}`];
	if (report.ended.length > 0) {
		parts.push(
			`ended ${plural(report.ended.length, 'agent')} it left running: ${report.ended.map(group => `${group.agent} (group ${group.pgid})`).join(', ')}`,
		);
	}

	if (report.unproven.length > 0) {
		parts.push(
			`left alone ${plural(report.unproven.length, 'recorded group')} that cannot be proven its (another boot, or the id reused): ${report.unproven.map(group => `${group.agent} (group ${group.pgid})`).join(', ')}`,
		);
	}

	let next = state;
	if (record?.cycle !== undefined) {
		parts.push(`its cycle ${record.cycle} is recorded as interrupted`);
		next = withInterruptedCycle(state, {
			cycle: record.cycle,
			foundAt: new Date().toISOString(),
			pid,
			agentsEnded: report.ended.map(group => group.agent),
		});
	}

	return {warning: parts.join('; '), state: next};
}
