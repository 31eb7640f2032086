import type {AppState} from '../store/state.js';

export type EngineHealth = {
	readonly healthy: boolean;
	readonly body: {
		readonly status: 'ok' | 'unhealthy';
		/** Why not healthy; empty when it is. */
		readonly reasons: readonly string[];
		readonly pid: number;
		readonly cycle: number;
		readonly running: boolean;
		readonly paused: boolean;
		readonly last_progress: string | null;
	};
};

/**
`GET /healthz` (contract §8): healthy while the engine runs its cycles with its risk check. Not
healthy while a critical agent is off, while a lock is lost, when the last cycle halted because a
critical agent could not run (failed, timed out, could not start — not when it asked to halt: that
is the check working), or when the loop has shown no sign of life (a cycle or an agent starting or
ending) for longer than `staleAfterMs`: a hung engine goes stale.
*/
export function engineHealth(
	state: AppState,
	engine: {
		readonly pid: number;
		readonly now: number;
		readonly lostLocks: readonly string[];
		/** Epoch ms of the loop's last sign of life; undefined before the first. */
		readonly lastProgressAt: number | undefined;
		readonly startedAt: number;
		readonly staleAfterMs: number;
	},
): EngineHealth {
	const reasons: string[] = [];
	for (const name of state.agentOrder) {
		const agent = state.agents[name];
		if (agent?.critical && !agent.enabled) {
			reasons.push(`critical agent ${name} is off`);
		}
	}

	for (const lock of engine.lostLocks) {
		reasons.push(`lost ${lock}`);
	}

	const {cycle} = state;
	const haltedBy =
		cycle.haltedBy === undefined ? undefined : state.agents[cycle.haltedBy];
	if (
		cycle.halted &&
		!cycle.running &&
		haltedBy !== undefined &&
		haltedBy.status !== 'halted'
	) {
		reasons.push(
			`cycle ${cycle.number} halted: critical agent ${haltedBy.name} could not run (${haltedBy.status})`,
		);
	}

	const since = engine.lastProgressAt ?? engine.startedAt;
	if (engine.now - since > engine.staleAfterMs) {
		reasons.push(
			`no cycle or agent has started or ended for ${Math.round((engine.now - since) / 1000)} s`,
		);
	}

	return {
		healthy: reasons.length === 0,
		body: {
			status: reasons.length === 0 ? 'ok' : 'unhealthy',
			reasons,
			pid: engine.pid,
			cycle: cycle.number,
			running: cycle.running,
			paused: cycle.paused,
			last_progress:
				engine.lastProgressAt === undefined
					? null
					: new Date(engine.lastProgressAt).toISOString(),
		},
	};
}
