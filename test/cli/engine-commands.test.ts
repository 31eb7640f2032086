import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import parsePrometheus from 'parse-prometheus-text-format';
import {describe, expect, test} from 'vitest';
import {
	fixture,
	isolatedEnv,
	parseJsonLines,
	runCli,
	startCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';

/** Quick agents and a short sleep, so cycles come often. */
function writeConfig(dir: string, name = 'moondev.json') {
	const steps = fixture('steps.mjs');
	const file = path.join(dir, name);
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				sleepBetweenRunsMinutes: 0.005,
				killGraceSeconds: 2,
				metricsExportDir: path.join(dir, 'metrics'),
			},
			agents: {
				risk: {
					command: ['node', steps, 'risk', '1', '20'],
					critical: true,
					enabled: true,
				},
				news: {command: ['node', steps, 'news', '2', '20'], enabled: true},
				slow: {command: ['node', fixture('sleep.mjs'), '60000'], timeout: 120},
			},
		}),
	);
	return file;
}

/** A headless engine in the background, and its events as they come. */
function startEngine(file: string, env: Record<string, string>) {
	const engine = startCli(['--headless', '--json', '--config', file], {
		env,
		timeout: 60_000,
	});
	let output = '';
	const decoder = new TextDecoder();
	engine.stdout?.on('data', (chunk: Uint8Array) => {
		output += decoder.decode(chunk, {stream: true});
	});
	const events = () =>
		parseJsonLines(output.slice(0, output.lastIndexOf('\n') + 1));
	const count = (type: string) =>
		events().filter(event => event.type === type).length;
	return {engine, events, count};
}

async function status(file: string, env: Record<string, string>) {
	const result = await runCli(['status', '--json', '--config', file], {env});
	expect(result.stderr).toBe('');
	expect(result.exitCode).toBe(0);
	return JSON.parse(result.stdout) as {
		pid: number;
		cycle: {number: number; running: boolean; paused: boolean};
		agents: Array<{name: string; enabled: boolean; status: string}>;
	};
}

describe('one-shot commands on a running engine', () => {
	test('status sees it; pause shows paused; refusals exit 1 with the reason; disable then force skips the agent; stop ends it with 0', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const file = writeConfig(dir);
		const {engine, events, count} = startEngine(file, env);
		await waitFor(() => count('cycle_end') >= 1, 20_000, 'a first cycle');

		const first = await status(file, env);
		expect(first.pid).toBe(engine.pid);
		expect(first.agents.map(agent => agent.name)).toEqual([
			'risk',
			'news',
			'slow',
		]);

		const text = await runCli(['status', '--config', file], {env});
		expect(text.exitCode).toBe(0);
		expect(text.stdout).toMatch(/engine pid \d+/v);
		expect(text.stdout).toMatch(/^risk \(critical\)\s/mv);

		const pause = await runCli(['pause', '--config', file], {env});
		expect(pause.exitCode).toBe(0);
		expect(pause.stdout).toMatch(/^paused/v);
		const paused = await status(file, env);
		expect(paused.cycle.paused).toBe(true);

		// Turning off the risk check is confirmed, or refused with the reason.
		const unconfirmed = await runCli(['disable', 'risk', '--config', file], {
			env,
		});
		expect(unconfirmed.exitCode).toBe(1);
		expect(unconfirmed.stderr).toContain('risk is critical');
		const unknown = await runCli(['enable', 'nosuch', '--config', file], {
			env,
		});
		expect(unknown.exitCode).toBe(1);
		expect(unknown.stderr).toContain('no agent named "nosuch"');
		const missing = await runCli(['cancel', '--config', file], {env});
		expect(missing.exitCode).toBe(2);
		expect(missing.stderr).toContain('which agent?');

		const disable = await runCli(['disable', 'news', '--config', file], {env});
		expect(disable.exitCode).toBe(0);
		const disabled = await status(file, env);
		expect(disabled.agents.find(agent => agent.name === 'news')?.enabled).toBe(
			false,
		);

		// Paused, force runs one cycle, without news.
		await waitFor(
			() => count('cycle_end') === count('cycle_start'),
			20_000,
			'the running cycle to end',
		);
		const before = count('cycle_end');
		const force = await runCli(['force', '--config', file], {env});
		expect(force.exitCode).toBe(0);
		await waitFor(() => count('cycle_end') > before, 20_000, 'a forced cycle');
		const forced = events().findLast(event => event.type === 'cycle_end');
		expect(forced?.results).toMatchObject({
			risk: 'success',
			news: 'disabled',
		});

		// Cancel reaches a running agent; an idle one is refused.
		const idle = await runCli(['cancel', 'news', '--config', file], {env});
		expect(idle.exitCode).toBe(1);
		expect(idle.stderr).toContain('news is not running');
		await runCli(['enable', 'slow', '--config', file], {env});
		await runCli(['force', '--config', file], {env});
		await waitFor(
			() =>
				events().some(
					event => event.type === 'agent_start' && event.agent === 'slow',
				),
			20_000,
			'slow to start',
		);
		const cancel = await runCli(['cancel', 'slow', '--config', file], {env});
		expect(cancel.exitCode).toBe(0);
		await waitFor(
			() =>
				events().some(
					event =>
						event.type === 'agent_end' &&
						event.agent === 'slow' &&
						event.status === 'cancelled',
				),
			20_000,
			'slow to be cancelled',
		);

		const stop = await runCli(['stop', '--config', file], {env});
		expect(stop.exitCode).toBe(0);
		expect(stop.stdout).toContain(`engine pid ${engine.pid} stopped`);
		// `stop` returned after the engine ended: its exit is the graceful one, 0.
		const ended = await engine;
		expect(ended.exitCode).toBe(0);
		expect(events().at(-1)).toMatchObject({
			type: 'engine_stop',
			reason: 'stop',
		});
	});

	test('reload: a changed config runs from the next cycle, said in an alert; a broken one, or one that moves the metrics folder, is refused and the old one runs on', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const file = writeConfig(dir);
		const {engine, events, count} = startEngine(file, env);
		await waitFor(() => count('cycle_end') >= 1, 20_000, 'a first cycle');

		const same = await runCli(['reload', '--config', file], {env});
		expect(same.exitCode).toBe(0);
		expect(same.stdout).toContain('nothing changed');

		const raw = JSON.parse(readFileSync(file, 'utf8')) as {
			orchestrator: Record<string, unknown>;
			agents: Record<string, unknown>;
		};
		const {news, ...kept} = raw.agents;
		const changed = {
			...raw,
			agents: {
				...kept,
				fresh: {
					command: ['node', fixture('steps.mjs'), 'fresh', '1', '10'],
					enabled: true,
				},
			},
		};
		writeFileSync(file, JSON.stringify(changed));
		const reload = await runCli(['reload', '--config', file], {env});
		expect(reload.stderr).toBe('');
		expect(reload.exitCode).toBe(0);
		expect(reload.stdout).toContain(
			'agents added: fresh; removed: news; in effect from the next cycle',
		);
		const reloadedAt = count('cycle_start');
		await waitFor(
			() => count('cycle_end') > reloadedAt,
			20_000,
			'a cycle on the new config',
		);
		const results = () =>
			events().findLast(event => event.type === 'cycle_end')?.results;
		expect(results()).toEqual({
			risk: 'success',
			slow: 'disabled',
			fresh: 'success',
		});
		expect(
			events().some(
				event =>
					event.type === 'alert' &&
					String(event.message).startsWith('reloaded '),
			),
		).toBe(true);

		// Broken: refused with the error, naming the file; the running config stays.
		writeFileSync(file, '{"agents": ');
		const broken = await runCli(['reload', '--config', file], {env});
		expect(broken.exitCode).toBe(1);
		expect(broken.stderr).toContain('moondev.json');
		expect(broken.stderr).toContain('the running config stays');

		writeFileSync(
			file,
			JSON.stringify({
				...changed,
				orchestrator: {
					...changed.orchestrator,
					metricsExportDir: path.join(dir, 'elsewhere'),
				},
			}),
		);
		const moved = await runCli(['reload', '--config', file], {env});
		expect(moved.exitCode).toBe(1);
		expect(moved.stderr).toContain('moves the metrics folder');

		const refusedAt = count('cycle_start');
		await waitFor(
			() => count('cycle_end') > refusedAt,
			20_000,
			'a cycle after the refusals',
		);
		expect(results()).toEqual({
			risk: 'success',
			slow: 'disabled',
			fresh: 'success',
		});
		// The monitoring half runs the new config too: the new agent is in the metrics file.
		const metrics = JSON.parse(
			readFileSync(
				String(
					events().findLast(event => event.type === 'metrics_exported')?.path,
				),
				'utf8',
			),
		) as {agents: Record<string, unknown>};
		expect(Object.keys(metrics.agents)).toContain('fresh');

		engine.kill('SIGTERM');
		await engine;
	});

	test('--listen serves /metrics as Prometheus text and /healthz as JSON, and changes nothing', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const file = writeConfig(dir);
		const engine = startCli(
			['--headless', '--json', '--config', file, '--listen', '127.0.0.1:0'],
			{env, timeout: 60_000},
		);
		let output = '';
		engine.stdout?.on('data', (chunk: Uint8Array) => {
			output += new TextDecoder().decode(chunk);
		});
		await waitFor(
			() => output.includes('"cycle_end"'),
			20_000,
			'a first cycle',
		);
		const address =
			/serving GET \/metrics and \/healthz on (http:\/\/[\d.:]+)/v.exec(
				output,
			)?.[1];
		expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/v);

		const metrics = await fetch(`${address}/metrics`);
		expect(metrics.status).toBe(200);
		const families = parsePrometheus(await metrics.text());
		const executions = families.find(
			family => family.name === 'moondev_agent_executions_total',
		);
		expect(executions?.metrics.map(metric => metric.labels?.agent)).toEqual([
			'risk',
			'news',
			'slow',
		]);

		const health = await fetch(`${address}/healthz`);
		expect(health.status).toBe(200);
		expect(await health.json()).toMatchObject({status: 'ok', reasons: []});

		// Read-only: a POST changes nothing and is refused.
		const post = await fetch(`${address}/healthz`, {method: 'POST'});
		expect(post.status).toBe(405);

		// The risk check turned off for a cycle: not healthy until it is back.
		await runCli(['disable', 'risk', '--yes', '--config', file], {env});
		const off = await fetch(`${address}/healthz`);
		expect(off.status).toBe(503);
		expect(await off.json()).toMatchObject({
			status: 'unhealthy',
			reasons: ['critical agent risk is off'],
		});

		engine.kill('SIGTERM');
		await engine;
	});

	test('with no engine, each command exits 2 and lists the engines of this user that do run', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const file = writeConfig(dir);
		for (const command of ['status', 'pause', 'stop', 'reload']) {
			const result = await runCli([command, '--config', file], {env});
			expect(result.exitCode, command).toBe(2);
			expect(result.stderr).toContain('no moondev-tui engine is running for');
			expect(result.stderr).toContain(
				'no moondev-tui engine of this user is running',
			);
		}

		const other = writeConfig(temporaryDirectory(), 'other.json');
		const {engine, count} = startEngine(other, env);
		await waitFor(() => count('cycle_start') >= 1, 20_000, 'the other engine');
		const result = await runCli(['status', '--config', file], {env});
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toContain(`pid ${engine.pid}`);
		expect(result.stderr).toContain(other);
		engine.kill('SIGTERM');
		await engine;
	});

	test('the control socket is its user’s only, and its path is in the lock’s owner file', async () => {
		const dir = temporaryDirectory();
		const env = isolatedEnv();
		const file = writeConfig(dir);
		const {engine, count} = startEngine(file, env);
		await waitFor(() => count('cycle_start') >= 1, 20_000, 'the engine');
		const owner = JSON.parse(
			readFileSync(
				path.join(dir, 'metrics', 'moondev.lock.owner.json'),
				'utf8',
			),
		) as {socket: string};
		expect(owner.socket).toBe(path.join(dir, 'metrics', 'moondev.sock'));
		const stats = statSync(owner.socket);
		expect(stats.isSocket()).toBe(true);
		expect((stats.mode % 0o1000).toString(8)).toBe('600');

		// As root, prove it: another user that can reach the folder still cannot connect.
		if (
			process.getuid?.() === 0 &&
			hasProgram('setpriv') &&
			existsSync('/usr/bin/python3')
		) {
			for (const folder of [dir, path.join(dir, 'metrics')]) {
				execFileSync('chmod', ['755', folder]);
			}

			const result = execFileSync(
				'setpriv',
				[
					'--reuid=65534',
					'--regid=65534',
					'--clear-groups',
					'/usr/bin/python3',
					'-c',
					'import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1]); print("connected")\nexcept PermissionError: print("denied")',
					owner.socket,
				],
				{encoding: 'utf8'},
			);
			expect(result.trim()).toBe('denied');
		}

		engine.kill('SIGTERM');
		await engine;
	});
});

function hasProgram(name: string): boolean {
	try {
		execFileSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}
