import {setMaxListeners} from 'node:events';
import {layoutOf} from '../config/agent-layout.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import type {
	LinesBackpressure,
	OutputStream,
	RunAgent,
} from '../runner/run-agent.js';
import type {EngineControls} from '../contract/controls.js';
import {type Emit, type HealthStatus} from '../contract/events.js';
import type {Clock} from './clock.js';
import {cycleHaltReason} from './halt-decision.js';
import {linkAbort} from './linked-abort.js';
import {createMetricNames} from './metric-names.js';
import {createOutputBatcher, type OutputBatcher} from './output-batcher.js';
import {type AgentOutcome, runAttempts} from './run-attempts.js';
import {type CycleOutcome, runCycle} from './run-cycle.js';

/*
One piece past 300 lines because it is one closure: the loop and every control (pause, force,
toggles, holds, stop, runAgentOnce) share the same few variables (paused, forced, holds, the
running map, the stop signal), and each control must see the loop's state as it is now.
*/

export type EngineDeps = {
	readonly config: ResolvedConfig;
	/** Runner/ in production, a fake in tests. */
	readonly runAgent: RunAgent;
	readonly clock: Clock;
	readonly emit: Emit;
	/** For `requireHealthy`; the monitoring half supplies it. Default: everything `unknown`. */
	readonly healthOf?: (agent: string) => HealthStatus;
	/** Enabled state at start, by agent; default the config's. */
	readonly enabled?: Readonly<Record<string, boolean>>;
	/** The first cycle's number, so numbering goes on after a restart. @default 1 */
	readonly firstCycle?: number;
	/** Every log line of every agent, for log files and `run`; a promise pauses that stream until it settles. */
	readonly onLines?: (
		agent: string,
		lines: readonly string[],
		stream: OutputStream,
	) => LinesBackpressure;
	/**
	When an agent last started in a cycle, as kept across runs (the state file), for `every` and
	`cron`; the engine adds the starts of this run itself. Default: never.
	*/
	readonly lastStartOf?: (agent: string) => number | undefined;
	/** Called when a reloaded config takes effect, before the cycle that runs it. */
	readonly onConfigApplied?: (config: ResolvedConfig) => void;
	/** How often buffered output reaches the store. @default 100 */
	readonly outputIntervalMs?: number;
	/**
	Whether recent output lines are batched into `agent_output` events, for a screen to show.
	Headless nobody reads them, so every output line is spared the work. @default true
	*/
	readonly keepOutput?: boolean;
};

export type Engine = EngineControls & {
	/** Runs cycles until stopped, or one with `once`; resolves with the last cycle's outcome. */
	readonly run: (options?: {
		readonly once?: boolean;
	}) => Promise<CycleOutcome | undefined>;
	readonly isEnabled: (agent: string) => boolean;
	/**
	Runs one agent once, outside any cycle (`run <agent>`, cycle 0): its retries, timeout and halt
	rules exactly as in a cycle. Resolves with how it ended and why it halts, if it does.
	*/
	readonly runAgentOnce: (name: string) => Promise<{
		readonly outcome: AgentOutcome;
		readonly haltReason: string | undefined;
	}>;
	/**
	Starts no new cycle until every hold is released (the running one finishes): for conditions
	under which trading must not go on, such as a lost lock. Forced cycles wait too.
	*/
	readonly hold: (reason: string) => void;
	/**
	Cancels every running agent, as `cancel` would: when this engine may no longer be alone on the
	account (a lost lock), what it runs must not go on trading.
	*/
	readonly cancelRunning: () => void;
	readonly release: (reason: string) => void;
	/** Whether recent output lines are batched into `agent_output` events from now on. */
	readonly setKeepOutput: (keep: boolean) => void;
	/**
	Runs `config` from the next cycle on (a reload): the running cycle, if any, ends on the old one.
	Kept agents keep their toggles unless the file changed their `enabled`; a critical agent is
	on or off as its file says (or off for the one cycle it was turned off for).
	*/
	readonly replaceConfig: (config: ResolvedConfig) => void;
};

/** An output batcher that keeps nothing, for runs without a screen. */
const discardOutput: OutputBatcher = {
	push() {
		// Nothing reads recent lines here; the log files get every line through onLines.
	},
	flush() {
		// Nothing held.
	},
	close() {
		// Nothing held.
	},
};

const maxSleepChunkMs = 60 * 60 * 1000;

/**
The orchestrator: runs cycles, sleeps between them, and answers the controls. Free of React and
of the terminal, so the headless mode, the TUI and the tests all drive this same code.
*/
export function createEngine(deps: EngineDeps): Engine {
	const {clock, emit} = deps;
	let {config} = deps;
	let pendingConfig: ResolvedConfig | undefined;
	const enabled = new Map(
		config.agents.map(agent => [
			agent.name,
			deps.enabled?.[agent.name] ?? agent.enabled,
		]),
	);
	const running = new Map<string, AbortController>();
	const criticalOf = (of: ResolvedConfig) =>
		new Set(of.agents.filter(agent => agent.critical).map(agent => agent.name));
	let criticalAgents = criticalOf(config);
	// Critical agents turned off at run time: off for the next cycle only, never for good.
	const offForOneCycle = new Set<string>();
	const stopController = new AbortController();
	// One listener per running attempt (linkAbort), removed as it ends: as many as agents run at
	// once, not a leak, so past Node's 10 it must not warn (a warning on stderr garbles the TUI).
	setMaxListeners(0, stopController.signal);
	const newBatcher = () =>
		createOutputBatcher(emit, {intervalMs: deps.outputIntervalMs ?? 100});
	let batcher = deps.keepOutput === false ? discardOutput : newBatcher();
	// Switchable while running: a headless engine keeps recent lines only while a screen is attached.
	const output: OutputBatcher = {
		push(agent, lines, stream) {
			batcher.push(agent, lines, stream);
		},
		flush(agent) {
			batcher.flush(agent);
		},
		close() {
			batcher.close();
		},
	};
	const healthOf = deps.healthOf ?? (() => 'unknown' as const);
	// Starts in this run's cycles; those before it come from lastStartOf.
	const starts = new Map<string, number>();
	const lastStartOf = (agent: string) =>
		starts.get(agent) ?? deps.lastStartOf?.(agent);
	const metricNames = createMetricNames();

	let paused = false;
	let forced = false;
	const holds = new Set<string>();
	let nextRunAt: number | undefined;
	let wakeController = new AbortController();
	let runPromise: Promise<CycleOutcome | undefined> | undefined;

	const wake = () => {
		wakeController.abort();
		wakeController = new AbortController();
	};

	const emitSchedule = () => {
		emit({
			type: 'schedule',
			time: new Date(clock.now()).toISOString(),
			paused,
			next_run:
				nextRunAt === undefined ? null : new Date(nextRunAt).toISOString(),
			forced,
		});
	};

	const isEnabled = (agent: string) => enabled.get(agent) ?? false;
	const blocked = () =>
		holds.size > 0 ? `held: ${[...holds].join(', ')}` : undefined;

	const turnBackOn = (agent: string) => {
		enabled.set(agent, true);
		const time = new Date(clock.now()).toISOString();
		emit({type: 'agent_toggle', time, agent, enabled: true, persist: false});
		emit({
			type: 'alert',
			time,
			level: 'info',
			message: `critical agent ${agent} is on again: it was off for one cycle`,
			agent,
		});
	};

	const applyPendingConfig = () => {
		const next = pendingConfig;
		if (!next) {
			return;
		}

		pendingConfig = undefined;
		const before = new Map(config.agents.map(agent => [agent.name, agent]));
		const nextEnabled = new Map(
			next.agents.map(agent => {
				const old = before.get(agent.name);
				if (agent.critical) {
					return [
						agent.name,
						agent.enabled && !offForOneCycle.has(agent.name),
					] as const;
				}

				return [
					agent.name,
					old && !old.critical && old.enabled === agent.enabled
						? (enabled.get(agent.name) ?? agent.enabled)
						: agent.enabled,
				] as const;
			}),
		);
		enabled.clear();
		for (const [name, value] of nextEnabled) {
			enabled.set(name, value);
		}

		config = next;
		criticalAgents = criticalOf(next);
		for (const agent of offForOneCycle) {
			if (!criticalAgents.has(agent)) {
				offForOneCycle.delete(agent);
			}
		}

		deps.onConfigApplied?.(next);
		emit({
			type: 'config_applied',
			time: new Date(clock.now()).toISOString(),
			agents: layoutOf(next, isEnabled),
			phases: next.phases.map(phase => phase.name),
		});
	};

	const loop = async (once: boolean): Promise<CycleOutcome | undefined> => {
		let cycle = deps.firstCycle ?? 1;
		let last: CycleOutcome | undefined;
		nextRunAt = clock.now();
		while (!stopController.signal.aborted) {
			const waiting =
				holds.size > 0 ||
				(!forced && (paused || clock.now() < (nextRunAt ?? 0)));
			if (waiting) {
				const waitMs =
					paused || holds.size > 0
						? maxSleepChunkMs
						: Math.min(maxSleepChunkMs, (nextRunAt ?? 0) - clock.now());
				// eslint-disable-next-line no-await-in-loop -- waiting is what this loop does
				await clock.sleep(waitMs, wakeController.signal);
				continue;
			}

			forced = false;
			nextRunAt = undefined;
			applyPendingConfig();
			emitSchedule();
			const offThisCycle = [...offForOneCycle];
			// eslint-disable-next-line no-await-in-loop
			last = await runCycle({
				config,
				runAgent: deps.runAgent,
				clock,
				emit,
				cycle,
				output,
				onLines: deps.onLines,
				isEnabled,
				healthOf,
				stopSignal: stopController.signal,
				running,
				metricNames,
				blocked,
				lastStartOf,
				onStart(agent, at) {
					starts.set(agent, at);
				},
			});
			cycle++;
			for (const agent of offThisCycle) {
				if (offForOneCycle.delete(agent)) {
					turnBackOn(agent);
				}
			}

			if (once || stopController.signal.aborted) {
				break;
			}

			if (forced) {
				continue;
			}

			nextRunAt =
				clock.now() + config.orchestrator.sleepBetweenRunsMinutes * 60_000;
			emitSchedule();
		}

		nextRunAt = undefined;
		output.close();
		return last;
	};

	return {
		async run(options = {}) {
			runPromise ??= loop(options.once ?? false);
			return runPromise;
		},
		isEnabled,
		async runAgentOnce(name) {
			const agent = config.agents.find(candidate => candidate.name === name);
			if (!agent) {
				throw new Error(`no agent named ${name}`);
			}

			const cancel = new AbortController();
			const unlink = linkAbort(cancel, stopController.signal);
			running.set(name, cancel);
			try {
				const outcome = await runAttempts(
					{
						config,
						runAgent: deps.runAgent,
						clock,
						emit,
						cycle: 0,
						output,
						onLines: deps.onLines,
						metricNames,
					},
					agent,
					undefined,
					cancel.signal,
				);
				const haltReason = cycleHaltReason(
					agent,
					outcome,
					stopController.signal.aborted,
				);
				if (haltReason !== undefined) {
					emit({
						type: 'halt',
						time: new Date(clock.now()).toISOString(),
						cycle: 0,
						agent: name,
						reason: haltReason,
					});
				}

				return {outcome, haltReason};
			} finally {
				unlink();
				running.delete(name);
				output.close();
			}
		},
		hold(reason) {
			holds.add(reason);
		},
		cancelRunning() {
			for (const controller of running.values()) {
				controller.abort();
			}
		},
		replaceConfig(next) {
			pendingConfig = next;
		},
		setKeepOutput(keep) {
			if (keep === (batcher !== discardOutput)) {
				return;
			}

			batcher.close();
			batcher = keep ? newBatcher() : discardOutput;
		},
		release(reason) {
			if (holds.delete(reason)) {
				wake();
			}
		},
		pause() {
			if (!paused) {
				paused = true;
				emitSchedule();
			}
		},
		resume() {
			if (paused) {
				paused = false;
				emitSchedule();
				wake();
			}
		},
		forceCycle() {
			forced = true;
			emitSchedule();
			wake();
		},
		setEnabled(agent, value) {
			if (!enabled.has(agent) || enabled.get(agent) === value) {
				return;
			}

			const critical = criticalAgents.has(agent);
			if (critical && !value) {
				offForOneCycle.add(agent);
			} else {
				offForOneCycle.delete(agent);
			}

			enabled.set(agent, value);
			emit({
				type: 'agent_toggle',
				time: new Date(clock.now()).toISOString(),
				agent,
				enabled: value,
				persist: !critical,
			});
			if (critical && !value) {
				emit({
					type: 'alert',
					time: new Date(clock.now()).toISOString(),
					level: 'critical',
					message: `critical agent ${agent} turned off for the next cycle only: that cycle trades without it`,
					agent,
				});
			}
		},
		cancelAgent(agent) {
			const controller = running.get(agent);
			if (!controller) {
				return false;
			}

			controller.abort();
			return true;
		},
		async stop() {
			stopController.abort();
			wake();
			await runPromise;
		},
	};
}
