import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, onTestFinished, test} from 'vitest';
import type {ProtocolMessage} from '../../source/runner/parse-protocol-line.js';
import {type RunAgentRequest, runAgent} from '../../source/runner/run-agent.js';
import {
	fixture,
	repoRoot,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';
import {isRunning} from '../helpers/processes.js';

function request(
	command: string[],
	overrides: Partial<RunAgentRequest> = {},
): RunAgentRequest {
	return {
		agent: 'test',
		command,
		cwd: repoRoot,
		env: {},
		timeoutMs: 10_000,
		killGraceMs: 1000,
		...overrides,
	};
}

const node = (script: string, ...args: string[]) => [
	process.execPath,
	fixture(script),
	...args,
];

describe('output and protocol', () => {
	test('protocol lines become messages, log lines stay log lines, malformed ones are counted', async () => {
		const messages: ProtocolMessage[] = [];
		const lines: string[] = [];
		const result = await runAgent(
			request(node('protocol.mjs'), {
				onMessage(message) {
					messages.push(message);
				},
				onLines(batch, stream) {
					lines.push(...batch.map(line => `${stream}: ${line}`));
				},
			}),
		);
		expect(result).toMatchObject({
			status: 'success',
			exitCode: 0,
			malformedLines: 3,
			error: undefined,
		});
		expect(messages).toEqual([
			{type: 'progress', percent: 40, message: 'fetching prices'},
			{type: 'metric', name: 'var_95', value: 0.031},
			{type: 'alert', level: 'warning', message: 'spread unusually wide'},
			{type: 'progress', percent: 100, message: 'done'},
		]);
		expect(lines).toEqual([
			'stdout: a plain log line',
			'stdout: ::moondev::{not json',
			'stdout: ::moondev::{"type":"progress","percent":"forty"}',
			'stdout: ::moondev::{"type":"nope"}',
			'stderr: a line on stderr',
		]);
	});

	test('a halt line is reported with its reason', async () => {
		const result = await runAgent(request(node('halt.mjs', 'VaR over limit')));
		expect(result).toMatchObject({
			status: 'success',
			haltReason: 'VaR over limit',
		});
	});

	test('the agent environment is passed on', async () => {
		const lines: string[] = [];
		await runAgent(
			request(node('env.mjs'), {
				env: {MOONDEV_AGENT: 'risk', API_KEY: 'secret'},
				onLines(batch) {
					lines.push(...batch);
				},
			}),
		);
		expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
			MOONDEV_AGENT: 'risk',
			API_KEY: 'secret',
		});
	});
});

describe('failures', () => {
	test('a non-zero exit fails with the code and the last stderr line', async () => {
		const result = await runAgent(
			request(node('exit.mjs', '3', 'KeyError: price')),
		);
		expect(result).toMatchObject({
			status: 'failed',
			exitCode: 3,
			error: 'exit code 3: KeyError: price',
		});
	});

	test('a command that does not exist is a failed attempt with the reason', async () => {
		const result = await runAgent(
			request(['moondev-no-such-command', '--flag']),
		);
		expect(result).toMatchObject({
			status: 'failed',
			error: 'cannot start: command not found: moondev-no-such-command',
		});
	});

	test('a file that is not executable', async () => {
		const dir = temporaryDirectory();
		const script = path.join(dir, 'agent.sh');
		writeFileSync(script, '#!/bin/sh\necho hi\n');
		chmodSync(script, 0o644);
		const result = await runAgent(request([script]));
		expect(result).toMatchObject({
			status: 'failed',
			error: `cannot start: not executable: ${script}`,
		});
	});

	test('a working folder that does not exist', async () => {
		const result = await runAgent(
			request(['true'], {cwd: '/nonexistent/moondev'}),
		);
		expect(result).toMatchObject({
			status: 'failed',
			error: 'cannot start: working folder not found: /nonexistent/moondev',
		});
	});
});

describe('timeouts and kills', () => {
	test('a hanging agent times out, and its grandchild is gone afterwards', async () => {
		const pidFile = path.join(temporaryDirectory(), 'grandchild.pid');
		const result = await runAgent(
			request(node('hang-with-child.mjs', pidFile), {
				timeoutMs: 500,
				killGraceMs: 2000,
			}),
		);
		expect(result).toMatchObject({
			status: 'timeout',
			error: 'timed out after 0.5s',
			signal: 'SIGTERM',
		});
		const grandchild = Number(readFileSync(pidFile, 'utf8'));
		expect(grandchild).toBeGreaterThan(0);
		await waitFor(
			() => !isRunning(grandchild),
			3000,
			`grandchild ${grandchild} to end`,
		);
	});

	test('an agent that ignores SIGTERM is SIGKILLed after the grace', async () => {
		const pidFile = path.join(temporaryDirectory(), 'agent.pid');
		const lines: string[] = [];
		const result = await runAgent(
			request(node('ignore-term.mjs', pidFile), {
				timeoutMs: 300,
				killGraceMs: 300,
				onLines(batch) {
					lines.push(...batch);
				},
			}),
		);
		expect(result).toMatchObject({status: 'timeout', signal: 'SIGKILL'});
		expect(lines).toContain('ignoring SIGTERM');
		expect(isRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
	});

	test('a grandchild left behind by an agent that exits is killed too', async () => {
		const pidFile = path.join(temporaryDirectory(), 'left.pid');
		const result = await runAgent(
			request(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; exit 0`], {
				killGraceMs: 500,
			}),
		);
		expect(result.status).toBe('success');
		const left = Number(readFileSync(pidFile, 'utf8'));
		await waitFor(() => !isRunning(left), 3000, `left-behind ${left} to end`);
	});

	test('a worker under a wrapper gets its grace period on a timeout', async () => {
		const done = path.join(temporaryDirectory(), 'done');
		const result = await runAgent(
			request(node('slow-cleanup-child.mjs', done, 'no'), {
				timeoutMs: 300,
				killGraceMs: 3000,
			}),
		);
		expect(result.status).toBe('timeout');
		expect(readFileSync(done, 'utf8')).toBe('cleaned up');
	});

	test('what an agent leaves running gets the grace period too', async () => {
		const done = path.join(temporaryDirectory(), 'done');
		const result = await runAgent(
			request(node('slow-cleanup-child.mjs', done, 'yes'), {killGraceMs: 3000}),
		);
		expect(result.status).toBe('success');
		expect(readFileSync(done, 'utf8')).toBe('cleaned up');
	});

	test('a process that left the group and holds stdout cannot hang the attempt', async () => {
		const pidFile = path.join(temporaryDirectory(), 'escaped.pid');
		onTestFinished(() => {
			try {
				process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
			} catch {
				// Gone already.
			}
		});
		const result = await runAgent(
			request(
				[
					'sh',
					'-c',
					`setsid sleep 60 & echo $! > ${pidFile}; echo started; exit 0`,
				],
				{killGraceMs: 200, timeoutMs: 60_000},
			),
		);
		expect(result).toMatchObject({status: 'success', exitCode: 0});
		expect(result.durationMs).toBeLessThan(30_000);
	});

	test('cancelling kills the attempt', async () => {
		const controller = new AbortController();
		const pending = runAgent(
			request(node('sleep.mjs', '20000'), {signal: controller.signal}),
		);
		setTimeout(() => {
			controller.abort();
		}, 200);
		expect(await pending).toMatchObject({
			status: 'cancelled',
			error: 'cancelled',
		});
	});
});
