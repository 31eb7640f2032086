import type {ResolvedAgent} from '../config/resolved-config.js';
import type {AttemptResult} from '../runner/run-agent.js';
import {plural} from '../util/format.js';
import type {AgentOutcome} from './run-attempts.js';

/*
When an agent stops the cycle: the one place these rules live, for cycles and `run <agent>` alike.
Fail closed: a critical agent that did not clearly pass halts the cycle.
*/

/**
What one attempt's result says about halting: the reason, or undefined. A halt line wins whatever
came after it; then `haltExitCode`; then, for a critical agent, a protocol line that cannot be
trusted, or an exit 0 without a verdict when the agent must give one. None of these is retried.
*/
export function attemptHaltReason(
	agent: ResolvedAgent,
	result: AttemptResult,
): string | undefined {
	if (result.haltReason !== undefined) {
		return result.haltReason;
	}

	if (
		agent.haltExitCode !== undefined &&
		result.exitCode === agent.haltExitCode
	) {
		return `exit code ${agent.haltExitCode} (haltExitCode)`;
	}

	if (!agent.critical) {
		return undefined;
	}

	const [untrusted] = result.untrustedLines;
	if (untrusted !== undefined) {
		return `${agent.name} printed ${untrusted}; a risk check's protocol lines must be exact`;
	}

	if (agent.requireVerdict && result.status === 'success' && !result.passed) {
		return `${agent.name} gave no verdict: it exited 0 without saying pass or halt`;
	}

	return undefined;
}

/**
Why a finished agent halts the cycle, or undefined: a critical agent that asked to (or whose
attempt said so above), or that still failed after its retries with `onFailure: halt` — a risk
check that could not run is no pass. Not while stopping: a stop is not the agent's failure.
*/
export function cycleHaltReason(
	agent: ResolvedAgent,
	outcome: AgentOutcome,
	stopping: boolean,
): string | undefined {
	if (!agent.critical) {
		return undefined;
	}

	if (outcome.haltReason !== undefined) {
		return outcome.haltReason;
	}

	if (outcome.status !== 'success' && agent.onFailure === 'halt' && !stopping) {
		const how = outcome.status === 'timeout' ? 'timed out' : outcome.status;
		return `${agent.name} ${how} after ${plural(outcome.attempts, 'attempt')}: ${outcome.error ?? outcome.status}`;
	}

	return undefined;
}
