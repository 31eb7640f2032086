import type {AppStore} from './create-app-store.js';
import type {AgentState} from './state.js';

/** One agent as stored (identical while it does not change). */
export function selectAgent(
	state: AppStore,
	name: string,
): AgentState | undefined {
	return state.agents[name];
}

/** The agent names in config order (a stored array). */
export function selectAgentOrder(state: AppStore): readonly string[] {
	return state.agentOrder;
}
