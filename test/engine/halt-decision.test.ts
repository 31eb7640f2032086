import {describe, expect, test} from 'vitest';
import type {ResolvedAgent} from '../../source/config/resolved-config.js';
import {
	attemptHaltReason,
	cycleHaltReason,
} from '../../source/engine/halt-decision.js';
import type {AgentOutcome} from '../../source/engine/run-attempts.js';
import type {AttemptResult} from '../../source/runner/run-agent.js';

/* The halt rules alone: an agent, one attempt's result or the agent's outcome, no engine. */

function agent(overrides: Partial<ResolvedAgent> = {}): ResolvedAgent {
	return {
		name: 'risk',
		command: ['node', 'risk.js'],
		enabled: true,
		critical: true,
		retries: 3,
		timeoutSeconds: undefined,
		env: {},
		cwd: '/tmp',
		description: undefined,
		dependsOn: [],
		when: undefined,
		schedule: undefined,
		requireHealthy: [],
		onFailure: 'halt',
		haltExitCode: undefined,
		requireVerdict: false,
		...overrides,
	};
}

const trading = agent({
	name: 'trading',
	critical: false,
	retries: 0,
	onFailure: 'continue',
});

function result(overrides: Partial<AttemptResult> = {}): AttemptResult {
	return {
		status: 'success',
		exitCode: 0,
		signal: undefined,
		error: undefined,
		haltReason: undefined,
		durationMs: 10,
		malformedLines: 0,
		passed: false,
		untrustedLines: [],
		...overrides,
	};
}

function outcome(overrides: Partial<AgentOutcome> = {}): AgentOutcome {
	return {
		status: 'success',
		attempts: 1,
		error: undefined,
		haltReason: undefined,
		...overrides,
	};
}

const failed = (error = 'exit code 1') =>
	result({status: 'failed', exitCode: 1, error});

describe('attemptHaltReason', () => {
	test('a plain success of a critical agent is no halt', () => {
		expect(attemptHaltReason(agent(), result())).toBeUndefined();
		expect(attemptHaltReason(agent(), result({passed: true}))).toBeUndefined();
	});

	test('a failure is no halt by itself: retries and onFailure decide that', () => {
		expect(attemptHaltReason(agent(), failed())).toBeUndefined();
		expect(
			attemptHaltReason(
				agent(),
				result({status: 'timeout', exitCode: undefined, signal: 'SIGTERM'}),
			),
		).toBeUndefined();
	});

	test('a halt line gives its reason, for a critical agent and any other', () => {
		const halted = result({haltReason: 'drawdown 12% > 10%'});
		expect(attemptHaltReason(agent(), halted)).toBe('drawdown 12% > 10%');
		// The attempt says it; whether the cycle halts is cycleHaltReason's call.
		expect(attemptHaltReason(trading, halted)).toBe('drawdown 12% > 10%');
	});

	test('the halt line wins over a failure, haltExitCode, untrusted lines and a missing verdict', () => {
		const strict = agent({haltExitCode: 3, requireVerdict: true});
		expect(
			attemptHaltReason(
				strict,
				result({
					status: 'failed',
					exitCode: 3,
					error: 'exit code 3',
					haltReason: 'market closed',
					untrustedLines: ['"::MOONDEV:: halt" in the wrong case'],
				}),
			),
		).toBe('market closed');
	});

	test('haltExitCode: that exit code halts, any other does not', () => {
		const risk = agent({haltExitCode: 3});
		expect(
			attemptHaltReason(
				risk,
				result({status: 'failed', exitCode: 3, error: 'exit code 3'}),
			),
		).toBe('exit code 3 (haltExitCode)');
		expect(attemptHaltReason(risk, failed())).toBeUndefined();
		expect(attemptHaltReason(risk, result())).toBeUndefined();
		expect(
			attemptHaltReason(risk, result({status: 'timeout', exitCode: undefined})),
		).toBeUndefined();
	});

	test('haltExitCode 0 makes a clean exit a halt', () => {
		expect(attemptHaltReason(agent({haltExitCode: 0}), result())).toBe(
			'exit code 0 (haltExitCode)',
		);
	});

	test('haltExitCode is read for an agent that is not critical too', () => {
		expect(
			attemptHaltReason(
				agent({name: 'trading', critical: false, haltExitCode: 4}),
				result({status: 'failed', exitCode: 4}),
			),
		).toBe('exit code 4 (haltExitCode)');
	});

	test('without haltExitCode an exit code is never a halt', () => {
		expect(
			attemptHaltReason(agent(), result({status: 'failed', exitCode: 3})),
		).toBeUndefined();
	});

	test('an untrusted protocol line halts a critical agent, naming the first', () => {
		expect(
			attemptHaltReason(
				agent(),
				result({
					passed: true,
					untrustedLines: [
						'"::moondev:: HALT" in the wrong case',
						'a malformed line',
					],
				}),
			),
		).toBe(
			'risk printed "::moondev:: HALT" in the wrong case; a risk check\'s protocol lines must be exact',
		);
	});

	test('an untrusted line halts a failed attempt too, and comes before a missing verdict', () => {
		expect(
			attemptHaltReason(
				agent({requireVerdict: true}),
				result({untrustedLines: ['a halt on stderr']}),
			),
		).toBe(
			"risk printed a halt on stderr; a risk check's protocol lines must be exact",
		);
		expect(
			attemptHaltReason(
				agent(),
				result({
					status: 'failed',
					exitCode: 1,
					untrustedLines: ['a halt on stderr'],
				}),
			),
		).toMatch(/^risk printed a halt on stderr;/v);
	});

	test('untrusted lines of an agent that is not critical are no halt', () => {
		expect(
			attemptHaltReason(
				trading,
				result({untrustedLines: ['a halt after other text']}),
			),
		).toBeUndefined();
	});

	test('requireVerdict: an exit 0 without pass is a halt', () => {
		expect(attemptHaltReason(agent({requireVerdict: true}), result())).toBe(
			'risk gave no verdict: it exited 0 without saying pass or halt',
		);
	});

	test('requireVerdict: a pass is no halt, nor a failure (the failure rules take it)', () => {
		const risk = agent({requireVerdict: true});
		expect(attemptHaltReason(risk, result({passed: true}))).toBeUndefined();
		expect(attemptHaltReason(risk, failed())).toBeUndefined();
		expect(
			attemptHaltReason(
				risk,
				result({status: 'cancelled', exitCode: undefined}),
			),
		).toBeUndefined();
	});

	test('requireVerdict does nothing for an agent that is not critical', () => {
		expect(
			attemptHaltReason(
				agent({name: 'trading', critical: false, requireVerdict: true}),
				result(),
			),
		).toBeUndefined();
	});

	test('the reasons name the agent', () => {
		const copybot = agent({name: 'copybot', requireVerdict: true});
		expect(attemptHaltReason(copybot, result())).toMatch(/^copybot gave/v);
		expect(attemptHaltReason(copybot, result({untrustedLines: ['x']}))).toMatch(
			/^copybot printed x;/v,
		);
	});
});

describe('cycleHaltReason', () => {
	test('a critical agent that succeeded does not halt the cycle', () => {
		expect(cycleHaltReason(agent(), outcome(), false)).toBeUndefined();
	});

	test('a critical agent that asked to halt halts the cycle with its reason', () => {
		expect(
			cycleHaltReason(
				agent(),
				outcome({status: 'halted', haltReason: 'drawdown 12% > 10%'}),
				false,
			),
		).toBe('drawdown 12% > 10%');
	});

	test('a halt is the agent\'s answer: it halts while stopping and with onFailure "continue" too', () => {
		const halted = outcome({status: 'halted', haltReason: 'market closed'});
		expect(cycleHaltReason(agent(), halted, true)).toBe('market closed');
		expect(cycleHaltReason(agent({onFailure: 'continue'}), halted, false)).toBe(
			'market closed',
		);
	});

	test('the halt reason wins over the failure', () => {
		expect(
			cycleHaltReason(
				agent(),
				outcome({
					status: 'failed',
					attempts: 1,
					error: 'exit code 1',
					haltReason:
						"risk printed x; a risk check's protocol lines must be exact",
				}),
				false,
			),
		).toBe("risk printed x; a risk check's protocol lines must be exact");
	});

	test('an agent that is not critical never halts the cycle', () => {
		expect(
			cycleHaltReason(
				trading,
				outcome({status: 'halted', haltReason: 'drawdown'}),
				false,
			),
		).toBeUndefined();
		expect(
			cycleHaltReason(
				{...trading, onFailure: 'halt'},
				outcome({status: 'failed', attempts: 4, error: 'exit code 1'}),
				false,
			),
		).toBeUndefined();
	});

	test('a critical agent that failed after its retries halts: a risk check that could not run is no pass', () => {
		expect(
			cycleHaltReason(
				agent(),
				outcome({
					status: 'failed',
					attempts: 4,
					error: 'exit code 2: KeyError',
				}),
				false,
			),
		).toBe('risk failed after 4 attempts: exit code 2: KeyError');
	});

	test('one attempt is singular', () => {
		expect(
			cycleHaltReason(
				agent({retries: 0}),
				outcome({status: 'failed', attempts: 1, error: 'exit code 1'}),
				false,
			),
		).toBe('risk failed after 1 attempt: exit code 1');
	});

	test('a timeout reads "timed out"', () => {
		expect(
			cycleHaltReason(
				agent(),
				outcome({status: 'timeout', attempts: 2, error: 'timed out after 30s'}),
				false,
			),
		).toBe('risk timed out after 2 attempts: timed out after 30s');
	});

	test('a cancelled run when not stopping (a retry that could not be made) halts too', () => {
		expect(
			cycleHaltReason(
				agent(),
				outcome({
					status: 'cancelled',
					attempts: 1,
					error: 'not retried: the lock was lost',
				}),
				false,
			),
		).toBe('risk cancelled after 1 attempt: not retried: the lock was lost');
	});

	test('without an error the status stands in for it', () => {
		expect(
			cycleHaltReason(
				agent(),
				outcome({status: 'failed', attempts: 3, error: undefined}),
				false,
			),
		).toBe('risk failed after 3 attempts: failed');
		expect(
			cycleHaltReason(
				agent(),
				outcome({status: 'timeout', attempts: 1, error: undefined}),
				false,
			),
		).toBe('risk timed out after 1 attempt: timeout');
	});

	test('onFailure "continue": a failed critical agent lets the cycle go on', () => {
		for (const status of ['failed', 'timeout', 'cancelled'] as const) {
			expect(
				cycleHaltReason(
					agent({onFailure: 'continue'}),
					outcome({status, attempts: 4, error: 'boom'}),
					false,
				),
			).toBeUndefined();
		}
	});

	test("while stopping a failure is not the agent's: no halt", () => {
		for (const status of ['failed', 'timeout', 'cancelled'] as const) {
			expect(
				cycleHaltReason(
					agent(),
					outcome({status, attempts: 1, error: 'cancelled'}),
					true,
				),
			).toBeUndefined();
		}
	});
});
