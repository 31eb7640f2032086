import type {ResolvedAgent, ResolvedConfig} from '../config/resolved-config.js';
import type {
	LinesBackpressure,
	OutputStream,
	RunAgent,
} from '../runner/run-agent.js';
import type {AgentStatus, Emit} from '../contract/events.js';
import {retryDelayMs} from './backoff.js';
import {attemptHaltReason} from './halt-decision.js';
import type {Clock} from './clock.js';
import type {OutputBatcher} from './output-batcher.js';
import type {MetricNames} from './metric-names.js';
import {createProtocolRelay} from './protocol-relay.js';

/** What one agent's run in a cycle needs: everything is passed in, nothing is global. */
export type AttemptsContext = {
	readonly config: ResolvedConfig;
	readonly runAgent: RunAgent;
	readonly clock: Clock;
	readonly emit: Emit;
	readonly cycle: number;
	readonly output: OutputBatcher;
	/**
	Why nothing new may start now (a lost lock), if so: no retry is made while it holds. The cycle
	checks it too, before each phase and agent.
	*/
	readonly blocked?: (() => string | undefined) | undefined;
	/** The run's metric names, capped per agent; one per engine. */
	readonly metricNames?: MetricNames | undefined;
	/** Every log line as printed, for log files and `run`. */
	readonly onLines?:
		| ((
				agent: string,
				lines: readonly string[],
				stream: OutputStream,
		  ) => LinesBackpressure)
		| undefined;
};

/** How an agent's run in a cycle ended. */
export type AgentOutcome = {
	readonly status: Exclude<AgentStatus, 'skipped' | 'disabled'>;
	readonly attempts: number;
	readonly error: string | undefined;
	/** Set when a critical agent asked to halt (protocol line or `haltExitCode`). */
	readonly haltReason: string | undefined;
};

const iso = (clock: Clock) => new Date(clock.now()).toISOString();

/**
Runs an agent's attempts: the first, then its retries after the backoff delays (contract §3),
until one succeeds, it is cancelled, or a critical agent asks to halt. Emits `agent_start`,
`agent_progress`, `agent_retry` and `agent_end`.
*/
export async function runAttempts(
	context: AttemptsContext,
	agent: ResolvedAgent,
	phaseTimeoutSeconds: number | undefined,
	signal: AbortSignal,
): Promise<AgentOutcome> {
	const {clock, emit, cycle, config} = context;
	const timeoutSeconds =
		agent.timeoutSeconds ??
		phaseTimeoutSeconds ??
		config.orchestrator.timeoutPerAgent;
	const maxAttempts = agent.retries + 1;
	const started = clock.now();
	let outcome: AgentOutcome | undefined;

	let worker: string | undefined;
	for (let attempt = 1; !outcome; attempt++) {
		// A remote attempt starts once a worker is chosen, so its agent_start names it (contract §10).
		let announced = false;
		let attemptWorker: string | undefined;
		const start = (on?: string) => {
			if (!announced) {
				announced = true;
				attemptWorker = on;
				emit({
					type: 'agent_start',
					time: iso(clock),
					cycle,
					agent: agent.name,
					attempt,
					...(on === undefined ? {} : {worker: on}),
				});
			}
		};

		if (agent.runOn === undefined) {
			start();
		}

		const relay = createProtocolRelay({
			emit,
			now: clock.now,
			cycle,
			agent: agent.name,
			...(context.metricNames ? {metricNames: context.metricNames} : {}),
		});
		// eslint-disable-next-line no-await-in-loop -- attempts are sequential by nature
		const result = await context.runAgent({
			agent: agent.name,
			command: agent.command,
			cwd: agent.cwd,
			env: {
				...agent.env,
				MOONDEV_AGENT: agent.name,
				MOONDEV_CYCLE: String(cycle),
				MOONDEV_ATTEMPT: String(attempt),
				MOONDEV_PROTOCOL: '1',
				MOONDEV_HOME: config.homeDir,
				PYTHONUNBUFFERED: '1',
			},
			timeoutMs: timeoutSeconds * 1000,
			killGraceMs: config.orchestrator.killGraceSeconds * 1000,
			signal,
			onMessage: relay.onMessage,
			// Not async: nothing returned (read on) must not become a promise to wait on.
			// eslint-disable-next-line @typescript-eslint/promise-function-async
			onLines(lines, stream) {
				context.output.push(agent.name, lines, stream);
				return context.onLines?.(agent.name, lines, stream);
			},
			...(agent.runOn === undefined
				? {}
				: {remote: {tag: agent.runOn, cycle, attempt, onWorker: start}}),
		});
		start(result.worker);
		worker = attemptWorker;
		relay.flush();
		context.output.flush(agent.name);
		emit({
			type: 'attempt_end',
			time: iso(clock),
			cycle,
			agent: agent.name,
			attempt,
			status: result.status,
			duration_s: roundSeconds(result.durationMs),
			error: result.error ?? null,
			malformed_lines: result.malformedLines,
			...(worker === undefined ? {} : {worker}),
		});

		const haltReason = attemptHaltReason(agent, result);
		const blockedBy = context.blocked?.();
		if (haltReason !== undefined && !agent.critical) {
			emit({
				type: 'alert',
				time: iso(clock),
				level: 'warning',
				message: `${agent.name} asked to halt (${haltReason}), but only critical agents halt the cycle`,
				agent: agent.name,
			});
		}

		if (haltReason !== undefined && agent.critical) {
			// A halt is the agent's answer (or the lack of a trustworthy one), not a fault: never retried.
			const succeeded =
				result.status === 'success' || result.exitCode === agent.haltExitCode;
			outcome = {
				status: succeeded ? 'halted' : result.status,
				attempts: attempt,
				error: succeeded ? undefined : result.error,
				haltReason,
			};
		} else if (
			result.status === 'success' ||
			result.status === 'cancelled' ||
			result.noRetry === true ||
			attempt >= maxAttempts ||
			signal.aborted
		) {
			outcome = {
				status: result.status,
				attempts: attempt,
				error: result.error,
				haltReason: undefined,
			};
		} else if (blockedBy) {
			outcome = {
				status: 'cancelled',
				attempts: attempt,
				error: `not retried: ${blockedBy}`,
				haltReason: undefined,
			};
		} else {
			const delayMs = retryDelayMs(config.orchestrator, attempt);
			emit({
				type: 'agent_retry',
				time: iso(clock),
				cycle,
				agent: agent.name,
				attempt: attempt + 1,
				delay_s: delayMs / 1000,
				error: result.error ?? result.status,
			});
			// eslint-disable-next-line no-await-in-loop
			await clock.sleep(delayMs, signal);
			if (signal.aborted) {
				outcome = {
					status: 'cancelled',
					attempts: attempt,
					error: 'cancelled while waiting to retry',
					haltReason: undefined,
				};
			}
		}
	}

	emit({
		type: 'agent_end',
		time: iso(clock),
		cycle,
		agent: agent.name,
		status: outcome.status,
		duration_s: roundSeconds(clock.now() - started),
		attempts: outcome.attempts,
		error: outcome.error ?? null,
		...(worker === undefined ? {} : {worker}),
	});
	return outcome;
}

/** Milliseconds to seconds with millisecond precision. */
export function roundSeconds(ms: number): number {
	return Math.round(ms) / 1000;
}
