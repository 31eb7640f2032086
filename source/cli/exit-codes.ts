import type {AgentStatus} from '../contract/events.js';

/** The exit codes of contract §2. */
export const exitCodes = {
	ok: 0,
	agentFailed: 1,
	usage: 2,
	halted: 3,
	sigint: 130,
	sigterm: 143,
} as const;

/** A finished cycle's exit code: 3 if halted, 1 if any agent that ran did not succeed, else 0. */
export function exitCodeOf(outcome: {
	readonly halted: boolean;
	readonly results: Readonly<Record<string, AgentStatus>>;
}): number {
	if (outcome.halted) {
		return exitCodes.halted;
	}

	const failed = Object.values(outcome.results).some(
		status =>
			status === 'failed' || status === 'timeout' || status === 'cancelled',
	);
	return failed ? exitCodes.agentFailed : exitCodes.ok;
}
