import type {ResolvedConfig} from '../config/resolved-config.js';
import {formatDashboard} from '../headless/dashboard.js';
import {createJsonPrinter} from '../headless/json-printer.js';
import {createTextPrinter} from '../headless/text-printer.js';
import {exitCodeOf, exitCodes} from './exit-codes.js';
import {openSession} from './open-session.js';
import {createLineWriters} from './output.js';
import {handleInterruptions} from './signals.js';

export type HeadlessOptions = {
	readonly config: ResolvedConfig;
	readonly json: boolean;
	readonly once: boolean;
	/** `--agents` was given (it wins over saved toggles). */
	readonly agentsFlag: boolean;
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
	agentsFlag,
}: HeadlessOptions): Promise<number> {
	const session = await openSession({config, agentsFlag, keepOutput: false});
	const {bus, engine, monitor} = session;
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
	session.announceWarnings();

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
		await session.close();
	}
}
