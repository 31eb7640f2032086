import type {AgentLayout} from '../contract/events.js';
import type {ResolvedConfig} from './resolved-config.js';

/** How a config lays its agents out on a screen, in config order. */
export function layoutOf(
	config: ResolvedConfig,
	isEnabled: (agent: string) => boolean = name =>
		config.agents.find(agent => agent.name === name)?.enabled ?? false,
): AgentLayout[] {
	const phaseOf = new Map<string, string>();
	for (const phase of config.phases) {
		for (const name of phase.agents) {
			phaseOf.set(name, phase.name);
		}
	}

	return config.agents.map(agent => ({
		name: agent.name,
		critical: agent.critical,
		phase: phaseOf.get(agent.name) ?? null,
		enabled: isEnabled(agent.name),
		maxAttempts: agent.retries + 1,
	}));
}
