import {type AgentStatus, type HealthStatus} from '../contract/events.js';

/** One finished run of an agent in a cycle, as health counts it. */
export type Execution = {
	/** Epoch ms of its end. */
	readonly time: number;
	readonly ok: boolean;
	readonly durationS: number;
	readonly retries: number;
};

export type Health = {
	readonly status: HealthStatus;
	/** Over the window, in %; undefined before the first run. */
	readonly successRate: number | undefined;
	/** Of the successful runs in the window, in seconds. */
	readonly avgDurationS: number | undefined;
	readonly consecutiveFailures: number;
	readonly lastSuccess: number | undefined;
	readonly lastFailure: number | undefined;
};

/**
Whether an agent's end counts for health, and as what: a halt is a success (the agent did its
job), a timeout a failure; skipped, disabled and cancelled runs (the user's or the shutdown's
doing) do not count, nor does an agent whose schedule was not due.
*/
export function countsAs(
	status: AgentStatus,
): 'success' | 'failure' | undefined {
	switch (status) {
		case 'success':
		case 'halted': {
			return 'success';
		}

		case 'failed':
		case 'timeout': {
			return 'failure';
		}

		case 'cancelled':
		case 'skipped':
		case 'disabled':
		case 'not_due': {
			return undefined;
		}
	}
}

/**
Health over the last `window` executions (contract §7): healthy at a success rate ≥ 95 % with no
consecutive failures; unhealthy at 3 or more consecutive failures or a rate under 80 %; else
degraded; unknown before the first run. `history` is oldest first.
*/
export function computeHealth(
	history: readonly Execution[],
	window: number,
): Health {
	const recent = history.slice(-window);
	let consecutiveFailures = 0;
	for (
		let index = history.length - 1;
		index >= 0 && history[index]?.ok === false;
		index--
	) {
		consecutiveFailures++;
	}

	const lastSuccess = history.findLast(execution => execution.ok)?.time;
	const lastFailure = history.findLast(execution => !execution.ok)?.time;
	if (recent.length === 0) {
		return {
			status: 'unknown',
			successRate: undefined,
			avgDurationS: undefined,
			consecutiveFailures,
			lastSuccess,
			lastFailure,
		};
	}

	const successes = recent.filter(execution => execution.ok);
	const successRate = (successes.length / recent.length) * 100;
	const avgDurationS =
		successes.length > 0
			? successes.reduce((sum, execution) => sum + execution.durationS, 0) /
				successes.length
			: undefined;
	const status: HealthStatus =
		consecutiveFailures >= 3 || successRate < 80
			? 'unhealthy'
			: successRate >= 95 && consecutiveFailures === 0
				? 'healthy'
				: 'degraded';
	return {
		status,
		successRate,
		avgDurationS,
		consecutiveFailures,
		lastSuccess,
		lastFailure,
	};
}
