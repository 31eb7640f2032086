import type {ResolvedConfig} from '../config/resolved-config.js';
import type {Toggles} from '../config/settings.js';

/** A saved toggle, as `validate` and `toggles` show it. */
export type SavedToggle = {
	readonly agent: string;
	readonly enabled: boolean;
	/** Why it is not honoured, if it is not. */
	readonly ignored: string | undefined;
};

/** The toggles saved for a config (from the TUI's space key), each with whether it still holds. */
export function savedToggles(
	config: ResolvedConfig,
	toggles: Toggles,
): SavedToggle[] {
	const agents = new Map(config.agents.map(agent => [agent.name, agent]));
	return Object.entries(toggles).map(([agent, enabled]) => {
		const known = agents.get(agent);
		return {
			agent,
			enabled,
			ignored: known
				? known.critical
					? 'critical: only the config file turns it off'
					: undefined
				: 'no such agent in the config',
		};
	});
}

/** One line a toggle: "trading  off", "risk  off (ignored: critical: …)". */
export function formatToggles(toggles: readonly SavedToggle[]): string[] {
	const width = Math.max(4, ...toggles.map(toggle => toggle.agent.length));
	return toggles.map(
		toggle =>
			`  ${toggle.agent.padEnd(width)}  ${toggle.enabled ? 'on' : 'off'}${toggle.ignored ? ` (ignored: ${toggle.ignored})` : ''}`,
	);
}
