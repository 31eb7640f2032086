import type {ConfigError} from './config-error.js';
import {unknownAgent} from './format-issues.js';
import type {ResolvedAgent, ResolvedPhase} from './resolved-config.js';
import type {ConfigFile} from './schema.js';

/* The phases a cycle runs: the default two, or the config's own, checked. */

/** Without `phases`: the critical agents one at a time, then every other agent in parallel. */
export function defaultPhases(
	agents: readonly ResolvedAgent[],
): ResolvedPhase[] {
	return [
		{
			name: 'critical',
			mode: 'sequential',
			agents: agents.filter(agent => agent.critical).map(agent => agent.name),
			timeoutPerAgent: undefined,
		},
		{
			name: 'parallel',
			mode: 'parallel',
			agents: agents.filter(agent => !agent.critical).map(agent => agent.name),
			timeoutPerAgent: undefined,
		},
	];
}

export function resolveCustomPhases(
	config: ConfigFile,
	fail: (keyPath: string, message: string) => ConfigError,
): ResolvedPhase[] {
	const names = Object.keys(config.agents);
	const placedIn = new Map<string, string>();
	const phaseNames = new Set<string>();
	return (config.phases ?? []).map((phase, phaseIndex) => {
		if (phaseNames.has(phase.name)) {
			throw fail(
				`phases[${phaseIndex}].name`,
				`duplicate phase name "${phase.name}"`,
			);
		}

		phaseNames.add(phase.name);
		for (const [index, name] of phase.agents.entries()) {
			const keyPath = `phases[${phaseIndex}].agents[${index}]`;
			if (!Object.hasOwn(config.agents, name)) {
				throw fail(keyPath, unknownAgent(name, names));
			}

			const earlier = placedIn.get(name);
			if (earlier !== undefined) {
				// It would run twice a cycle: twice the orders.
				throw fail(keyPath, `"${name}" is already in phase "${earlier}"`);
			}

			placedIn.set(name, phase.name);
		}

		return {
			name: phase.name,
			mode: phase.mode,
			agents: phase.agents,
			timeoutPerAgent: phase.timeoutPerAgent,
		};
	});
}

/**
A dependency must be able to finish first: in an earlier phase, earlier in a sequential phase, or
anywhere in a parallel one as long as the dependencies there form no loop.
*/
export function checkDependencyOrder(
	agents: readonly ResolvedAgent[],
	phases: readonly ResolvedPhase[],
	fail: (keyPath: string, message: string) => ConfigError,
) {
	const position = new Map<string, {phase: number; index: number}>();
	for (const [phaseIndex, phase] of phases.entries()) {
		for (const [index, name] of phase.agents.entries()) {
			position.set(name, {phase: phaseIndex, index});
		}
	}

	const byName = new Map(agents.map(agent => [agent.name, agent]));
	for (const agent of agents) {
		const own = position.get(agent.name);
		if (!own) {
			continue;
		}

		for (const [index, dependency] of agent.dependsOn.entries()) {
			const keyPath = `agents.${agent.name}.dependsOn[${index}]`;
			const other = position.get(dependency);
			if (!other) {
				throw fail(
					keyPath,
					`"${dependency}" is in no phase, so it never succeeds`,
				);
			}

			const phase = phases[own.phase];
			if (
				other.phase > own.phase ||
				(other.phase === own.phase &&
					phase?.mode === 'sequential' &&
					other.index > own.index)
			) {
				throw fail(keyPath, `"${dependency}" runs after "${agent.name}"`);
			}
		}
	}

	// Loops inside a parallel phase would wait on each other forever.
	const visiting = new Set<string>();
	const done = new Set<string>();
	const visit = (name: string, trail: string[]) => {
		if (done.has(name)) {
			return;
		}

		if (visiting.has(name)) {
			const loop = [...trail.slice(trail.indexOf(name)), name].join(' → ');
			throw fail(`agents.${name}.dependsOn`, `dependency loop: ${loop}`);
		}

		visiting.add(name);
		for (const dependency of byName.get(name)?.dependsOn ?? []) {
			visit(dependency, [...trail, name]);
		}

		visiting.delete(name);
		done.add(name);
	};

	for (const agent of agents) {
		visit(agent.name, []);
	}
}

/**
Risk first, always: every critical agent runs in a phase before any phase with another agent in
it, so that nothing trades before or beside the risk check (fail closed). Custom phases that put
an agent before or beside a critical one are a config error.
*/
export function checkRiskFirst(
	agents: readonly ResolvedAgent[],
	phases: readonly ResolvedPhase[],
	fail: (keyPath: string, message: string) => ConfigError,
): void {
	const critical = new Set(
		agents.filter(agent => agent.critical).map(agent => agent.name),
	);
	let lastCriticalPhase = -1;
	for (const [index, phase] of phases.entries()) {
		if (phase.agents.some(name => critical.has(name))) {
			lastCriticalPhase = index;
		}
	}

	for (const [index, phase] of phases.entries()) {
		if (index > lastCriticalPhase) {
			break;
		}

		for (const [position, name] of phase.agents.entries()) {
			if (!critical.has(name)) {
				const riskPhase = phases[lastCriticalPhase]?.name ?? '';
				throw fail(
					`phases[${index}].agents[${position}]`,
					`${name} would run ${index === lastCriticalPhase ? 'beside' : 'before'} a critical agent (phase "${riskPhase}"): critical agents go in phases before every other agent`,
				);
			}
		}
	}
}
