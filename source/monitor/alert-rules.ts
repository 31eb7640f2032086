import type {AgentEndEvent, AlertLevel} from '../contract/events.js';
import {plural} from '../util/format.js';
import type {Health} from './health.js';

/*
The alert rules of contract §7, pure: what to say given what changed. No clock, no file, no bus;
the monitor raises what they return. Each threshold has a name.
*/

/** A success rate under this (in %) is worth a warning, once, when it falls under. */
export const lowSuccessRatePercent = 80;
/** This many failures in a row is critical, once, when it is reached. */
export const failuresInARowAlert = 5;
/** Unhealthy at the end of this many cycles in a row is critical, once. */
export const unhealthyCyclesAlert = 3;
/** A cycle over this many times the average is slow… */
export const slowCycleFactor = 2;
/** …once there are this many cycles to average… */
export const slowCycleAfterCycles = 3;
/** …and if it took at least this long: a short cycle is not worth an alert, however it compares. */
export const slowCycleMinimumS = 10;

export type RuleAlert = {
	readonly level: AlertLevel;
	readonly message: string;
	readonly agent?: string;
};

/**
What an agent's new health says: it became unhealthy (critical for a critical agent, a warning
for the rest: one failure of another agent is worth a look, not a page), its success rate fell
under 80 %, it failed 5 times in a row. Each when the condition starts, not while it lasts.
*/
export function healthAlerts(
	agent: string,
	before: Health,
	after: Health,
	isCritical: boolean,
): RuleAlert[] {
	const alerts: RuleAlert[] = [];
	if (after.status === 'unhealthy' && before.status !== 'unhealthy') {
		alerts.push({
			level: isCritical ? 'critical' : 'warning',
			message: `${agent} became unhealthy (${describeHealth(after)})`,
			agent,
		});
	}

	if (
		after.successRate !== undefined &&
		after.successRate < lowSuccessRatePercent &&
		(before.successRate ?? 100) >= lowSuccessRatePercent
	) {
		alerts.push({
			level: 'warning',
			message: `${agent} success rate fell to ${after.successRate.toFixed(1)}% (under ${lowSuccessRatePercent}%)`,
			agent,
		});
	}

	if (after.consecutiveFailures === failuresInARowAlert) {
		alerts.push({
			level: 'critical',
			message: `${agent} failed ${failuresInARowAlert} times in a row`,
			agent,
		});
	}

	return alerts;
}

/** An agent that ended failed (or timed out on its last retry): critical for a critical agent. */
export function failedAfterRetriesAlert(
	event: AgentEndEvent,
	isCritical: boolean,
): RuleAlert | undefined {
	const failed =
		event.status === 'failed' ||
		(event.status === 'timeout' && event.attempts > 1);
	return failed
		? {
				level: isCritical ? 'critical' : 'warning',
				message: `${event.agent} ${event.status} after ${plural(event.attempts, 'attempt')}: ${event.error ?? event.status}`,
				agent: event.agent,
			}
		: undefined;
}

/** A cycle over twice the average of the cycles before it, once there are enough, and long enough. */
export function slowCycleAlert(
	cycle: number,
	durationS: number,
	previousDurationsS: readonly number[],
): RuleAlert | undefined {
	if (previousDurationsS.length < slowCycleAfterCycles) {
		return undefined;
	}

	const average =
		previousDurationsS.reduce((sum, value) => sum + value, 0) /
		previousDurationsS.length;
	return durationS >= slowCycleMinimumS && durationS > slowCycleFactor * average
		? {
				level: 'warning',
				message: `cycle ${cycle} took ${durationS.toFixed(1)}s, over twice the average ${average.toFixed(1)}s`,
			}
		: undefined;
}

/** Unhealthy at the end of its third cycle in a row (said once: the streak passes 3 only once). */
export function unhealthyStreakAlert(
	agent: string,
	cycles: number,
): RuleAlert | undefined {
	return cycles === unhealthyCyclesAlert
		? {
				level: 'critical',
				message: `${agent} has been unhealthy for ${unhealthyCyclesAlert} cycles in a row`,
				agent,
			}
		: undefined;
}

function describeHealth(health: Health): string {
	const rate =
		health.successRate === undefined
			? ''
			: `success ${health.successRate.toFixed(1)}%`;
	const streak =
		health.consecutiveFailures > 0
			? `${plural(health.consecutiveFailures, 'failure')} in a row`
			: '';
	return [rate, streak].filter(Boolean).join(', ');
}
