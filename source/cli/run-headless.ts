import {ConfigError} from '../config/config-error.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {systemClock} from '../engine/clock.js';
import {createEngine} from '../engine/create-engine.js';
import {createEventBus} from '../engine/event-bus.js';
import {formatDashboard} from '../headless/dashboard.js';
import {createJsonPrinter} from '../headless/json-printer.js';
import {createTextPrinter} from '../headless/text-printer.js';
import {createMonitor} from '../monitor/create-monitor.js';
import {acquireEngineLock, type EngineLock} from '../monitor/engine-lock.js';
import {loadState} from '../monitor/state-file.js';
import {runAgent} from '../runner/run-agent.js';
import {exitCodeOf, exitCodes} from './exit-codes.js';
import {createLineWriters} from './output.js';
import {handleInterruptions} from './signals.js';

export type HeadlessOptions = {
	readonly config: ResolvedConfig;
	readonly json: boolean;
	readonly once: boolean;
};

/**
The orchestrator without a TUI: the engine's events printed as text lines (with the dashboard
after each cycle) or JSON lines, and recorded by the monitoring half. Returns the exit code: with
`--once` the cycle's (contract §2), 130 / 143 when interrupted, else 0.
*/
export async function runHeadless({
	config,
	json,
	once,
}: HeadlessOptions): Promise<number> {
	const folder = config.orchestrator.metricsExportDir;
	const bus = createEventBus();
	const warnings = [
		...config.warnings.map(warning => `${config.displayName}: ${warning}`),
	];

	// One engine per metrics folder; a folder that cannot be written is an alert, not a stop.
	let lock: EngineLock | undefined;
	try {
		lock = await acquireEngineLock(folder);
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

	const monitor = createMonitor({config, emit: bus.emit, initialState: state});
	const engine = createEngine({
		config,
		runAgent,
		clock: systemClock,
		emit: bus.emit,
		healthOf: monitor.healthOf,
		firstCycle: monitor.nextCycle(),
		onLines: monitor.onLines,
	});
	const writers = createLineWriters(() => {
		void engine.stop();
	});
	const maxAttempts = new Map(
		config.agents.map(agent => [agent.name, agent.retries + 1]),
	);
	bus.listen(
		json
			? createJsonPrinter(writers.out)
			: createTextPrinter({
					write: writers.out,
					maxAttempts: agent => maxAttempts.get(agent) ?? 1,
					dashboard() {
						const report = monitor.lastReport();
						return config.orchestrator.enableMonitoring && report
							? formatDashboard(report)
							: undefined;
					},
				}),
	);
	bus.listen(monitor.listen);
	for (const warning of warnings) {
		bus.emit({
			type: 'alert',
			time: new Date().toISOString(),
			level: 'warning',
			message: warning,
		});
	}

	const interruption = handleInterruptions(() => {
		void engine.stop();
	});
	try {
		const outcome = await engine.run({once});
		const interrupted = interruption.exitCode();
		if (interrupted !== undefined) {
			return interrupted;
		}

		return once && outcome ? exitCodeOf(outcome) : exitCodes.ok;
	} finally {
		interruption.dispose();
		await monitor.close();
		await lock?.release();
	}
}
