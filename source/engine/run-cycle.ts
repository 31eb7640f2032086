import pLimit from 'p-limit';
import type {ResolvedAgent, ResolvedPhase} from '../config/resolved-config.js';
import {type AgentStatus, type HealthStatus} from '../contract/events.js';
import {cycleHaltReason} from './halt-decision.js';
import {linkAbort} from './linked-abort.js';
import {
	type AttemptsContext,
	roundSeconds,
	runAttempts,
} from './run-attempts.js';
import {notDue, skipReason} from './skip-rules.js';

export type CycleContext = AttemptsContext & {
	/** Whether an agent is enabled now: the config, the user's toggles, `--agents`. */
	readonly isEnabled: (agent: string) => boolean;
	readonly healthOf: (agent: string) => HealthStatus;
	/** Aborted when moondev-tui stops: running agents are killed, nothing new starts. */
	readonly stopSignal: AbortSignal;
	/** Where the engine keeps each running agent's cancel handle. */
	readonly running: Map<string, AbortController>;
	/** When an agent last started in a cycle (epoch ms), for `every`/`cron`; undefined: never. */
	readonly lastStartOf?: (agent: string) => number | undefined;
	/** An agent starts in this cycle now: its schedule counts from here. */
	readonly onStart?: (agent: string, at: number) => void;
};

export type CycleOutcome = {
	readonly cycle: number;
	readonly halted: boolean;
	readonly haltReason: string | undefined;
	readonly results: Readonly<Record<string, AgentStatus>>;
	readonly durationMs: number;
};

/**
Runs one cycle: each phase in order, sequential phases one agent at a time and parallel ones on a
pool of `maxWorkers`. A halt (asked for, or a critical agent that failed with `onFailure: halt`)
stops it after that agent: what has not started is skipped, and later phases do not run.
*/
export async function runCycle(context: CycleContext): Promise<CycleOutcome> {
	const {clock, emit, cycle, config} = context;
	const iso = () => new Date(clock.now()).toISOString();
	const started = clock.now();
	const agentsByName = new Map(config.agents.map(agent => [agent.name, agent]));
	const results = new Map<string, AgentStatus>();
	let halt: {agent: string; reason: string} | undefined;
	// Nothing new starts once the cycle is halted, stopping, or blocked (a lost lock: fail closed).
	const stopReason = () =>
		halt
			? `cycle halted by ${halt.agent}`
			: context.stopSignal.aborted
				? 'stopping'
				: context.blocked?.();

	emit({type: 'cycle_start', time: iso(), cycle});
	for (const agent of config.agents) {
		if (agent.critical && !context.isEnabled(agent.name)) {
			emit({
				type: 'alert',
				time: iso(),
				level: 'warning',
				message: `critical agent ${agent.name} is disabled: the cycle runs without it`,
				agent: agent.name,
			});
		}
	}

	const skip = (agent: ResolvedAgent, reason: string): AgentStatus => {
		results.set(agent.name, 'skipped');
		emit({
			type: 'agent_end',
			time: iso(),
			cycle,
			agent: agent.name,
			status: 'skipped',
			duration_s: 0,
			attempts: 0,
			error: reason,
		});
		return 'skipped';
	};

	const haltCycle = (agent: string, reason: string) => {
		halt = {agent, reason};
		emit({type: 'halt', time: iso(), cycle, agent, reason});
	};

	const runOne = async (
		agent: ResolvedAgent,
		phase: ResolvedPhase,
	): Promise<AgentStatus> => {
		const stopped = stopReason();
		if (stopped) {
			return skip(agent, stopped);
		}

		const notDueYet = notDue(
			agent,
			context.lastStartOf?.(agent.name),
			clock.now(),
		);
		if (notDueYet) {
			results.set(agent.name, 'not_due');
			const {next} = notDueYet;
			emit({
				type: 'agent_not_due',
				time: iso(),
				cycle,
				agent: agent.name,
				next_due: next === undefined ? null : new Date(next).toISOString(),
			});
			emit({
				type: 'agent_end',
				time: iso(),
				cycle,
				agent: agent.name,
				status: 'not_due',
				duration_s: 0,
				attempts: 0,
				error: null,
			});
			return 'not_due';
		}

		const reason = skipReason(agent, {
			results,
			now: clock.now(),
			healthOf: context.healthOf,
		});
		if (reason) {
			skip(agent, reason);
			// A risk check that could not run is no pass: nothing after it may trade.
			if (agent.critical && agent.onFailure === 'halt' && !halt) {
				haltCycle(agent.name, `${agent.name} could not run: ${reason}`);
			}

			return 'skipped';
		}

		// Its own cancel, also aborted by the stop; not AbortSignal.any, which leaks on Node 20.
		const cancel = new AbortController();
		const unlink = linkAbort(cancel, context.stopSignal);
		context.running.set(agent.name, cancel);
		context.onStart?.(agent.name, clock.now());
		let outcome;
		try {
			outcome = await runAttempts(
				context,
				agent,
				phase.timeoutPerAgent,
				cancel.signal,
			);
		} finally {
			unlink();
			context.running.delete(agent.name);
		}

		results.set(agent.name, outcome.status);
		const haltReason = halt
			? undefined
			: cycleHaltReason(agent, outcome, context.stopSignal.aborted);
		if (haltReason !== undefined) {
			haltCycle(agent.name, haltReason);
		}

		return outcome.status;
	};

	for (const phase of config.phases) {
		const agents = phase.agents
			.filter(name => context.isEnabled(name))
			.map(name => agentsByName.get(name))
			.filter(agent => agent !== undefined);
		for (const name of phase.agents) {
			if (!context.isEnabled(name)) {
				results.set(name, 'disabled');
			}
		}

		const stopped = stopReason();
		if (stopped) {
			for (const agent of agents) {
				skip(agent, stopped);
			}

			continue;
		}

		emit({
			type: 'phase_start',
			time: iso(),
			cycle,
			phase: phase.name,
			mode: phase.mode,
			agents: agents.map(agent => agent.name),
		});

		if (phase.mode === 'sequential') {
			for (const agent of agents) {
				// eslint-disable-next-line no-await-in-loop -- one at a time is the point of a sequential phase
				await runOne(agent, phase);
			}
		} else {
			// eslint-disable-next-line no-await-in-loop -- phases run one after another
			await runParallel(
				agents,
				phase,
				context.config.orchestrator.maxWorkers,
				runOne,
			);
		}
	}

	context.output.close();
	const durationMs = clock.now() - started;
	const ordered: Record<string, AgentStatus> = {};
	for (const agent of config.agents) {
		ordered[agent.name] =
			results.get(agent.name) ??
			(context.isEnabled(agent.name) ? 'skipped' : 'disabled');
	}

	emit({
		type: 'cycle_end',
		time: iso(),
		cycle,
		duration_s: roundSeconds(durationMs),
		halted: halt !== undefined,
		results: ordered,
	});
	return {
		cycle,
		halted: halt !== undefined,
		haltReason: halt?.reason,
		results: ordered,
		durationMs,
	};
}

/**
A parallel phase on a pool of `maxWorkers`. An agent waits for its dependencies in the same phase
before it takes a worker, so a waiting agent never holds a worker its dependency needs.
*/
async function runParallel(
	agents: readonly ResolvedAgent[],
	phase: ResolvedPhase,
	maxWorkers: number,
	runOne: (agent: ResolvedAgent, phase: ResolvedPhase) => Promise<AgentStatus>,
): Promise<void> {
	const limit = pLimit(maxWorkers);
	const finished = new Map<string, Promise<AgentStatus>>();
	const start = async (agent: ResolvedAgent): Promise<AgentStatus> => {
		const dependencies = agent.dependsOn
			.map(async name => finished.get(name))
			.filter(promise => promise !== undefined);
		const promise = Promise.all(dependencies).then(async () =>
			limit(async () => runOne(agent, phase)),
		);
		finished.set(agent.name, promise);
		return promise;
	};

	// Start dependencies first, so that `finished` holds them when their dependants look.
	const order = dependencyOrder(agents);
	await Promise.all(order.map(async agent => start(agent)));
}

/** The agents with each one's dependencies before it (the config rejects loops). */
function dependencyOrder(agents: readonly ResolvedAgent[]): ResolvedAgent[] {
	const byName = new Map(agents.map(agent => [agent.name, agent]));
	const ordered: ResolvedAgent[] = [];
	const seen = new Set<string>();
	const visit = (agent: ResolvedAgent) => {
		if (seen.has(agent.name)) {
			return;
		}

		seen.add(agent.name);
		for (const name of agent.dependsOn) {
			const dependency = byName.get(name);
			if (dependency) {
				visit(dependency);
			}
		}

		ordered.push(agent);
	};

	for (const agent of agents) {
		visit(agent);
	}

	return ordered;
}
