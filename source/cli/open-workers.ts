import type {ResolvedWorkers} from '../config/resolved-config.js';
import type {Emit, WorkerInfo} from '../contract/events.js';
import type {Engine} from '../engine/create-engine.js';
import {ConfigError} from '../config/config-error.js';
import {isProcessRunning} from '../runner/process-info.js';
import type {RunAgent} from '../runner/run-agent.js';

/** The engine's side of the workers, as a session uses it. */
export type SessionWorkers = {
	/** `local` for agents without `runOn`, a worker for the others. */
	readonly runAgent: (local: RunAgent) => RunAgent;
	/** Emits the live workers as last seen (once the listeners are attached). */
	readonly announce: () => void;
	/** The queue's lock, while it is lost. */
	readonly lost: () => readonly string[];
	readonly close: () => Promise<void>;
};

const what = "the workers' queue";

/**
Opens the workers of `orchestrator.workers` (contract §10). BullMQ and ioredis are loaded here,
with a dynamic import(), so a run without workers never loads them.
*/
export async function openWorkers(
	workers: ResolvedWorkers,
	{
		emit,
		engine,
		warnings,
		killGraceSeconds,
		remoteAgents,
	}: {
		/** The enabled agents with `runOn`, and their tags: the start says which have no worker. */
		readonly remoteAgents: ReadonlyArray<{
			readonly name: string;
			readonly runOn: string;
		}>;
		/** The grace a fenced attempt gets: the start waits that long and more for them. */
		readonly killGraceSeconds: number;
		readonly emit: Emit;
		/** Late-bound: the queue's lock is taken before the engine exists. */
		readonly engine: () => Engine | undefined;
		readonly warnings: string[];
	},
): Promise<SessionWorkers> {
	const {openFleet} = await import('./fleet-chunk.js');
	const now = () => new Date().toISOString();
	let latest: readonly WorkerInfo[] = [];
	let isLost = false;
	let announced = false;
	const fleet = await openFleet({
		workers,
		// Fencing takes a second or two, then the attempt's grace (the worker's own, unknown here).
		waitForPredecessorMs: (killGraceSeconds + 15) * 1000,
		services: {fail: message => new ConfigError(message), isProcessRunning},
		note(message) {
			warnings.push(message);
		},
		onWorkers(list) {
			const before = latest;
			latest = list;
			if (announced) {
				emit({type: 'workers', time: now(), workers: list});
				for (const change of workerChanges(before, list)) {
					emit({type: 'alert', time: now(), ...change});
				}
			}
		},
		onLockLost(why) {
			isLost = true;
			engine()?.hold(what);
			// Another engine may take the queue: ours must not trade beside it. The workers fence the
			// remote attempts; the local ones are cancelled here.
			engine()?.cancelRunning();
			emit({
				type: 'alert',
				time: now(),
				level: 'critical',
				message: `lost ${what} (${why}): its running agents are cancelled and no new cycle starts until it is held again`,
			});
		},
		onLockHeldAgain() {
			isLost = false;
			engine()?.release(what);
			emit({
				type: 'alert',
				time: now(),
				level: 'info',
				message: `holds ${what} again: cycles go on`,
			});
		},
	});
	return {
		runAgent: fleet.runAgent,
		announce() {
			announced = true;
			emit({type: 'workers', time: now(), workers: latest});
			for (const message of missingTags(remoteAgents, latest)) {
				emit({type: 'alert', time: now(), level: 'warning', message});
			}
		},
		lost: () => (isLost ? [what] : []),
		close: fleet.close,
	};
}

/** Workers that came, stopped, or were lost (their heartbeat stopped without a clean stop). */
export function workerChanges(
	before: readonly WorkerInfo[],
	after: readonly WorkerInfo[],
): Array<{level: 'info' | 'warning'; message: string}> {
	const now = new Map(after.map(worker => [worker.id, worker]));
	const then = new Map(before.map(worker => [worker.id, worker]));
	const changes: Array<{level: 'info' | 'warning'; message: string}> = [];
	for (const worker of after) {
		if (!then.has(worker.id)) {
			changes.push({
				level: 'info',
				message: `worker ${worker.id} joined (tags ${worker.tags.join(',') || 'none'})`,
			});
		}
	}

	for (const worker of before) {
		if (!now.has(worker.id)) {
			changes.push(
				worker.stopping
					? {level: 'info', message: `worker ${worker.id} stopped`}
					: {
							level: 'warning',
							message: `worker ${worker.id} lost: its heartbeat stopped${worker.running > 0 ? ` with ${worker.running} attempt(s) running` : ''}`,
						},
			);
		}
	}

	return changes;
}

/** For each tag an enabled agent runs on that no live worker carries: a warning naming them. */
export function missingTags(
	agents: ReadonlyArray<{readonly name: string; readonly runOn: string}>,
	workers: readonly WorkerInfo[],
): string[] {
	const carried = new Set(
		workers.filter(worker => !worker.stopping).flatMap(worker => worker.tags),
	);
	const byTag = new Map<string, string[]>();
	for (const agent of agents) {
		if (!carried.has(agent.runOn)) {
			byTag.set(agent.runOn, [...(byTag.get(agent.runOn) ?? []), agent.name]);
		}
	}

	return [...byTag].map(
		([tag, names]) =>
			`no live worker carries the tag "${tag}" (${names.join(', ')}): its attempts fail until one does (moondev-tui worker --tags ${tag})`,
	);
}
