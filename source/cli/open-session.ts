import {ConfigError} from '../config/config-error.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {openSettings} from '../config/settings.js';
import {systemClock} from '../engine/clock.js';
import {createEngine, type Engine} from '../engine/create-engine.js';
import {createEventBus, type EventBus} from '../engine/event-bus.js';
import {createMonitor, type Monitor} from '../monitor/create-monitor.js';
import {acquireEngineLock, type EngineLock} from '../monitor/engine-lock.js';
import {loadState} from '../monitor/state-file.js';
import {runAgent} from '../runner/run-agent.js';

/** Everything one run of the orchestrator needs, wired, and how to put it away. */
export type Session = {
	readonly bus: EventBus;
	readonly engine: Engine;
	readonly monitor: Monitor;
	/** Whether an agent is enabled at start (config, then saved toggles, then `--agents`). */
	readonly enabledAtStart: (agent: string) => boolean;
	/** Emits the warnings gathered while opening as alerts; call once the listeners are attached. */
	readonly announceWarnings: () => void;
	/** Saves toggles, flushes the logs and releases the lock. */
	readonly close: () => Promise<void>;
};

export type SessionOptions = {
	readonly config: ResolvedConfig;
	/** `--agents` was given: it wins over the saved toggles for this run. */
	readonly agentsFlag: boolean;
	/** Where conf keeps settings; tests point it at a temporary folder. */
	readonly settingsFolder?: string | undefined;
	/** Batch recent output lines for a screen; headless has none. @default true */
	readonly keepOutput?: boolean;
};

/**
Opens a run: takes the metrics folder's lock (refusing, exit 2, when another engine holds it),
loads the state and the user's saved toggles, and wires the engine and the monitoring half to one
event bus. The headless mode and the TUI both start here, so they behave the same.
*/
export async function openSession({
	config,
	agentsFlag,
	settingsFolder,
	keepOutput = true,
}: SessionOptions): Promise<Session> {
	const folder = config.orchestrator.metricsExportDir;
	const bus = createEventBus();
	const warnings = config.warnings.map(
		warning => `${config.displayName}: ${warning}`,
	);

	// One engine per metrics folder; a folder that cannot be written is an alert, not a stop.
	let lock: EngineLock | undefined;
	try {
		lock = await acquireEngineLock(folder, error => {
			bus.emit({
				type: 'alert',
				time: new Date().toISOString(),
				level: 'critical',
				message: `lost the lock of ${folder} (${error.message}): another engine may start on it`,
			});
		});
		if (lock.warning) {
			warnings.push(lock.warning);
		}
	} catch (error) {
		if (error instanceof ConfigError) {
			throw error;
		}

		warnings.push(
			`metrics folder ${folder} cannot be written (${(error as Error).message}); running without the one-engine lock`,
		);
	}

	const {state, warning: stateWarning} = loadState(folder);
	if (stateWarning) {
		warnings.push(stateWarning);
	}

	const settings = await openSettings(config.file, {
		...(settingsFolder === undefined ? {} : {cwd: settingsFolder}),
		onSaveError(error) {
			bus.emit({
				type: 'alert',
				time: new Date().toISOString(),
				level: 'warning',
				message: `a toggle could not be saved (${error instanceof Error ? error.message : String(error)}); it holds for this run only`,
			});
		},
	});
	const toggles = agentsFlag ? {} : settings.toggles();
	const enabled = Object.fromEntries(
		config.agents.map(agent => [
			agent.name,
			toggles[agent.name] ?? agent.enabled,
		]),
	);

	const monitor = createMonitor({config, emit: bus.emit, initialState: state});
	const engine = createEngine({
		config,
		runAgent,
		clock: systemClock,
		emit: bus.emit,
		healthOf: monitor.healthOf,
		firstCycle: monitor.nextCycle(),
		onLines: monitor.onLines,
		keepOutput,
		enabled,
	});
	bus.listen(monitor.listen);
	bus.listen(event => {
		if (event.type === 'agent_toggle') {
			settings.saveToggle(event.agent, event.enabled);
		}
	});

	return {
		bus,
		engine,
		monitor,
		enabledAtStart: agent => enabled[agent] ?? false,
		announceWarnings() {
			for (const warning of warnings) {
				bus.emit({
					type: 'alert',
					time: new Date().toISOString(),
					level: 'warning',
					message: warning,
				});
			}
		},
		async close() {
			// Each step runs whatever the one before did: the lock must never be left behind.
			try {
				await settings.flush();
			} finally {
				try {
					await monitor.close();
				} finally {
					await lock?.release();
				}
			}
		},
	};
}
