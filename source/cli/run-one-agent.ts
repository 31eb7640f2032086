import {ConfigError} from '../config/config-error.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {systemClock} from '../engine/clock.js';
import {createEngine} from '../engine/create-engine.js';
import {createEventBus} from '../engine/event-bus.js';
import {createJsonPrinter} from '../headless/json-printer.js';
import {createTextPrinter} from '../headless/text-printer.js';
import {liveEngineOf, liveEngineOfConfig} from '../monitor/engine-lock.js';
import {escapeLogLine} from '../util/escape-text.js';
import {runAgent} from '../runner/run-agent.js';
import {exitCodes} from './exit-codes.js';
import {createLineWriters} from './output.js';
import type {Lifecycle} from './process-lifecycle.js';

/**
`moondev-tui run <agent>`: one agent once, enabled or not, with its retries and timeout, its log
lines streamed as printed. Text: its stdout on stdout, its stderr and the events on stderr.
`--json`: events on stdout, all its log lines on stderr. Exit 0 on success, 3 if a critical agent halted, 1 otherwise.
*/
export async function runOneAgent(options: {
	readonly config: ResolvedConfig;
	readonly name: string | undefined;
	readonly json: boolean;
	readonly lifecycle: Lifecycle;
}): Promise<number> {
	const {config, name, json, lifecycle} = options;
	const names = config.agents.map(agent => agent.name);
	if (name === undefined) {
		throw new ConfigError(
			`run: expected an agent name (one of ${names.join(', ')})`,
		);
	}

	const agent = config.agents.find(candidate => candidate.name === name);
	if (!agent) {
		throw new ConfigError(
			`run: unknown agent "${name}" (agents: ${names.join(', ')})`,
		);
	}

	// Its place is a worker with its tag, through the engine's queue: not this machine.
	if (agent.runOn !== undefined) {
		throw new ConfigError(
			`run: ${agent.name} runs on the workers tagged "${agent.runOn}" (runOn), through the engine; \`run\` runs agents on this machine only`,
		);
	}

	// One agent run by hand beside a live engine could place an order twice.
	const folder = config.orchestrator.metricsExportDir;
	// The folder's engine may say it is idle; one that runs this config elsewhere cannot: refused.
	const holder = liveEngineOf(folder) ?? liveEngineOfConfig(config.file);
	if (holder && !holder.idle) {
		throw new ConfigError(
			`run: ${holder.metricsFolder ?? folder} is held by a running engine, pid ${holder.pid} (since ${holder.since}); ${agent.name} run by hand beside it could place an order twice. Pause it first (p in its TUI) and let its cycle end, or stop it.`,
		);
	}

	const writers = createLineWriters(() => {
		lifecycle.requestStop('SIGPIPE');
	});
	const bus = createEventBus();
	bus.listen(
		json
			? createJsonPrinter(writers.out)
			: createTextPrinter({
					write: writers.err,
					maxAttempts: () => agent.retries + 1,
				}),
	);
	// The engine runs it, so its retries, timeout and halt rules are a cycle's, to the letter.
	const engine = createEngine({
		config,
		runAgent,
		clock: systemClock,
		emit: bus.emit,
		keepOutput: false,
		// Not async: nothing to wait on must stay undefined, not a promise.
		// eslint-disable-next-line @typescript-eslint/promise-function-async
		onLines(_agent, lines, stream) {
			const which = stream === 'stdout' && !json ? 'out' : 'err';
			const write = writers[which];
			// Its colours kept, any other control sequence escaped: it cannot drive the terminal.
			for (const line of lines) {
				write(escapeLogLine(line));
			}

			// A slow reader slows the agent down rather than losing its lines.
			return writers.behind(which);
		},
	});
	lifecycle.onStop(() => {
		void engine.stop();
	});
	lifecycle.onCrash(async () => engine.stop());
	try {
		const {outcome, haltReason} = await engine.runAgentOnce(agent.name);
		const interrupted = lifecycle.exitCode();
		if (interrupted !== undefined) {
			return interrupted;
		}

		// As in a cycle (§2, exit 3).
		if (haltReason !== undefined) {
			return exitCodes.halted;
		}

		return outcome.status === 'success' ? exitCodes.ok : exitCodes.agentFailed;
	} finally {
		bus.emit(lifecycle.stopEvent('once'));
	}
}
