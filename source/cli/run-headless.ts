import {ConfigError} from '../config/config-error.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {formatDashboard} from '../headless/dashboard.js';
import {createJsonPrinter} from '../headless/json-printer.js';
import {createTextPrinter} from '../headless/text-printer.js';
import {exitCodeOf, exitCodes} from './exit-codes.js';
import type {ListenAddress} from './listen-address.js';
import {openSession} from './open-session.js';
import {createLineWriters} from './output.js';
import type {Lifecycle} from './process-lifecycle.js';

export type HeadlessOptions = {
	readonly config: ResolvedConfig;
	readonly json: boolean;
	readonly once: boolean;
	/** `--agents` was given (it wins over saved toggles). */
	readonly agentsFlag: boolean;
	readonly lifecycle: Lifecycle;
	/** Reads the config again, for `reload`. */
	readonly reloadConfig?: () => ResolvedConfig;
	/** `--listen`: serve /metrics and /healthz. */
	readonly listen?: ListenAddress | undefined;
};

/**
The orchestrator without a TUI: the engine's events printed as text lines (with the dashboard
after each cycle) or JSON lines, and recorded by the monitoring half. Returns the exit code: with
`--once` the cycle's (contract §2), 128 + n when a signal stopped it, else 0.
*/
export async function runHeadless({
	config,
	json,
	once,
	agentsFlag,
	lifecycle,
	reloadConfig,
	listen,
}: HeadlessOptions): Promise<number> {
	const session = await openSession({
		config,
		agentsFlag,
		lifecycle,
		keepOutput: false,
		reloadConfig,
		listen,
	});
	const {bus, engine, monitor} = session;
	// One cycle of nothing is no success: a script is told, not given an empty exit 0.
	if (
		once &&
		!config.agents.some(agent => session.enabledAtStart(agent.name))
	) {
		await session.close(lifecycle.stopEvent('once'));
		throw new ConfigError(
			`${config.displayName}: no agent is enabled (by the config, saved toggles or --agents): nothing to run`,
		);
	}

	// A reader that went away (`| head`) stops the engine as the SIGPIPE it would have been.
	const writers = createLineWriters(() => {
		lifecycle.requestStop('SIGPIPE');
	});
	bus.listen(
		json
			? createJsonPrinter(writers.out)
			: createTextPrinter({
					write: writers.out,
					// From the state a screen shows: a reloaded config's agents included.
					maxAttempts: agent => session.view().agents[agent]?.maxAttempts ?? 1,
					dashboard() {
						const report = monitor.lastReport();
						return config.orchestrator.enableMonitoring && report
							? formatDashboard(report)
							: undefined;
					},
				}),
	);
	session.announceWarnings();

	let outcome;
	try {
		outcome = await engine.run({once});
	} catch (error) {
		await session.close({
			type: 'engine_stop',
			time: new Date().toISOString(),
			reason: 'error',
			error: error instanceof Error ? error.message : String(error),
		});
		throw error;
	}

	await session.close(lifecycle.stopEvent(once ? 'once' : 'stop'));
	// A stop asked for (the `stop` command) is no failure, even mid-cycle with --once.
	return (
		lifecycle.exitCode() ??
		(once && outcome && !lifecycle.stopping()
			? exitCodeOf(outcome)
			: exitCodes.ok)
	);
}
