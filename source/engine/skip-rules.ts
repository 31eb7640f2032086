import {type HealthStatus, type AgentStatus} from '../contract/events.js';
import type {AgentWindow, ResolvedAgent} from '../config/resolved-config.js';
import {dueState} from '../config/schedule.js';
import {weekDays} from '../config/schema.js';

/** Health as the monitoring half computes it (contract §7). */

export type SkipContext = {
	/** Statuses so far in this cycle; dependencies are final by the time this is asked. */
	readonly results: ReadonlyMap<string, AgentStatus>;
	readonly now: number;
	readonly healthOf: (agent: string) => HealthStatus;
};

/** Why an agent must be skipped this cycle (`dependsOn`, `when`, `requireHealthy`), or undefined. */
export function skipReason(
	agent: ResolvedAgent,
	context: SkipContext,
): string | undefined {
	for (const dependency of agent.dependsOn) {
		const status = context.results.get(dependency);
		// Not due is no failure: what the dependency last did still stands.
		if (status !== 'success' && status !== 'halted' && status !== 'not_due') {
			return `needs ${dependency} to succeed (${status ?? 'not run'})`;
		}
	}

	if (agent.when && !isInsideWindow(agent.when, new Date(context.now))) {
		return `outside its window (${describeWindow(agent.when)})`;
	}

	for (const other of agent.requireHealthy) {
		if (context.healthOf(other) === 'unhealthy') {
			return `needs ${other} healthy (unhealthy)`;
		}
	}

	return undefined;
}

/**
Whether an agent with a schedule is not due at `now` (no fire time has passed since its last
start): then when it is next due (`next` undefined: never again). Undefined when it runs.
*/
export function notDue(
	agent: ResolvedAgent,
	lastStart: number | undefined,
	now: number,
): {readonly next: number | undefined} | undefined {
	if (!agent.schedule) {
		return undefined;
	}

	const {due, next} = dueState(agent.schedule, lastStart, now);
	return due ? undefined : {next};
}

/** Whether a local time is inside `when`: hours inclusive, "22-2" wrapping midnight. */
export function isInsideWindow(window: AgentWindow, date: Date): boolean {
	if (window.days && !window.days.includes(weekDays[date.getDay()] ?? 'sun')) {
		return false;
	}

	if (window.hours) {
		const hour = date.getHours();
		const {from, to} = window.hours;
		return from <= to ? hour >= from && hour <= to : hour >= from || hour <= to;
	}

	return true;
}

function describeWindow(window: AgentWindow): string {
	const parts: string[] = [];
	if (window.hours) {
		parts.push(`hours ${window.hours.from}-${window.hours.to}`);
	}

	if (window.days) {
		parts.push(window.days.join(','));
	}

	return parts.join(' ');
}
