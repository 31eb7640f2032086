import {isDeepStrictEqual} from 'node:util';
import type {ResolvedConfig} from './resolved-config.js';

/** What a reloaded config changes, by name only: an env value is compared, never shown. */
export type ConfigChange = {
	readonly added: readonly string[];
	readonly removed: readonly string[];
	/** Agents whose command, env, timeout, retries, phase or any other setting changed. */
	readonly changed: readonly string[];
	/** The orchestrator's keys that changed. */
	readonly orchestrator: readonly string[];
	/** Phases added, removed, renamed, reordered, or run otherwise (mode, timeout). */
	readonly phases: boolean;
};

/** The differences between the running config and a reloaded one. */
export function configChange(
	running: ResolvedConfig,
	next: ResolvedConfig,
): ConfigChange {
	const before = new Map(running.agents.map(agent => [agent.name, agent]));
	const after = new Map(next.agents.map(agent => [agent.name, agent]));
	const phaseOf = (config: ResolvedConfig, name: string) =>
		config.phases.find(phase => phase.agents.includes(name))?.name;
	return {
		added: next.agents
			.filter(agent => !before.has(agent.name))
			.map(agent => agent.name),
		removed: running.agents
			.filter(agent => !after.has(agent.name))
			.map(agent => agent.name),
		changed: next.agents
			.filter(agent => {
				const old = before.get(agent.name);
				return (
					old !== undefined &&
					(!isDeepStrictEqual(old, agent) ||
						phaseOf(running, agent.name) !== phaseOf(next, agent.name))
				);
			})
			.map(agent => agent.name),
		orchestrator: Object.keys(next.orchestrator).filter(
			key =>
				!isDeepStrictEqual(
					running.orchestrator[key as keyof typeof next.orchestrator],
					next.orchestrator[key as keyof typeof next.orchestrator],
				),
		),
		// Their shape: which agent is in which is said by the agents added, removed and changed.
		phases: !isDeepStrictEqual(
			running.phases.map(({agents, ...shape}) => shape),
			next.phases.map(({agents, ...shape}) => shape),
		),
	};
}

/** Whether a change changes anything. */
export function isNoChange(change: ConfigChange): boolean {
	return (
		change.added.length === 0 &&
		change.removed.length === 0 &&
		change.changed.length === 0 &&
		change.orchestrator.length === 0 &&
		!change.phases
	);
}

/** "agents added: a; removed: b; changed: c; orchestrator: maxWorkers; phases changed". */
export function describeConfigChange(change: ConfigChange): string {
	const parts = [
		change.added.length > 0 ? `agents added: ${change.added.join(', ')}` : '',
		change.removed.length > 0 ? `removed: ${change.removed.join(', ')}` : '',
		change.changed.length > 0 ? `changed: ${change.changed.join(', ')}` : '',
		change.orchestrator.length > 0
			? `orchestrator: ${change.orchestrator.join(', ')}`
			: '',
		change.phases ? 'phases changed' : '',
	].filter(Boolean);
	return parts.length === 0 ? 'nothing changed' : parts.join('; ');
}

/**
Why a reloaded config cannot take effect without a restart, if it cannot: the metrics folder holds
the lock, the state, the logs and the socket, so moving it is a new engine; the notify targets'
queues are made once, at start.
*/
export function restartNeededFor(
	running: ResolvedConfig,
	next: ResolvedConfig,
): string | undefined {
	const from = running.orchestrator.metricsExportDir;
	const to = next.orchestrator.metricsExportDir;
	if (from !== to) {
		return `it moves the metrics folder from ${from} to ${to}, which needs a restart`;
	}

	// The queue's lock and connection are taken at start; the URL is a secret, so only the fact is said.
	if (!isDeepStrictEqual(running.workers, next.workers)) {
		return "it changes the workers' queue or Redis (orchestrator.workers), which needs a restart";
	}

	// The notifier's queues are made at start; their URLs are secrets, so only the fact is said.
	return isDeepStrictEqual(running.notify, next.notify)
		? undefined
		: 'it changes the notify targets, which needs a restart';
}
