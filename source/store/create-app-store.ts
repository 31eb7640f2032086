import {createStore, type StoreApi} from 'zustand/vanilla';
import type {ResolvedConfig} from '../config/resolved-config.js';
import type {EngineControls} from '../contract/controls.js';
import type {EngineEvent} from '../contract/events.js';
import {own} from '../util/own.js';
import {reduce} from './reduce.js';
import {type AppState, createInitialState} from './state.js';

/** What the UI may do: apply events (the engine's listener) and forward the user's controls. */
export type AppActions = {
	readonly apply: (event: EngineEvent) => void;
	readonly togglePause: () => void;
	readonly forceCycle: () => void;
	/** `confirmed`: the person said yes to turning off a critical agent. */
	readonly toggleAgent: (agent: string, confirmed?: boolean) => void;
	readonly cancelAgent: (agent: string) => boolean;
};

export type AppStore = AppState & AppActions;

/** The controls the store's actions forward to: the engine's, or a fake in tests. */
export type StoreControls = Pick<
	EngineControls,
	'pause' | 'resume' | 'forceCycle' | 'setEnabled' | 'cancelAgent'
>;

/**
The single source of truth: a vanilla zustand store whose state changes only through `reduce`,
and whose actions only forward to the engine (the engine's events come back through `apply`).
One per run, and a fresh one per test.
*/
export function createAppStore(
	options: {readonly controls: StoreControls} & (
		| {
				readonly config: ResolvedConfig;
				readonly isEnabled?: (agent: string) => boolean;
				/** Durations of earlier cycles (from the state file), for the timings panel. */
				readonly previousDurationsMs?: readonly number[];
		  }
		| {
				/** A running engine's state, as its control socket sent it (`attach`). */
				readonly snapshot: AppState;
		  }
	),
): StoreApi<AppStore> {
	const {controls} = options;
	return createStore<AppStore>()((set, get) => ({
		...('snapshot' in options
			? options.snapshot
			: createInitialState(
					options.config,
					options.isEnabled,
					options.previousDurationsMs,
				)),
		apply(event) {
			set(state => reduce(state, event));
		},
		togglePause() {
			if (get().cycle.paused) {
				controls.resume();
			} else {
				controls.pause();
			}
		},
		forceCycle() {
			controls.forceCycle();
		},
		toggleAgent(agent, confirmed = false) {
			const current = own(get().agents, agent);
			if (current) {
				controls.setEnabled(agent, !current.enabled, {confirmed});
			}
		},
		cancelAgent(agent) {
			return controls.cancelAgent(agent);
		},
	}));
}
