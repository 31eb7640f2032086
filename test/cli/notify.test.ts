import {once} from 'node:events';
import {readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {describe, expect, onTestFinished, test} from 'vitest';
import {
	fixture,
	isolatedEnv,
	runCli,
	startCli,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';

type Received = {url: string; body: string};

/** A real HTTP server on 127.0.0.1: answers with `answer`, records what it got. */
async function hookServer(
	answer: (request: Received) => number | 'never' = () => 200,
) {
	const received: Received[] = [];
	const server = http.createServer((request, response) => {
		let body = '';
		request.setEncoding('utf8');
		request.on('data', (chunk: string) => {
			body += chunk;
		});
		request.on('end', () => {
			const entry = {url: request.url ?? '', body};
			received.push(entry);
			const status = answer(entry);
			if (status !== 'never') {
				response.writeHead(status).end();
			}
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	onTestFinished(() => {
		server.closeAllConnections();
		server.close();
	});
	const {port} = server.address() as AddressInfo;
	return {received, base: `http://127.0.0.1:${port}`};
}

const secret = 'T0K3N-do-not-print';

function writeConfig(
	dir: string,
	notify: unknown[],
	agents: Record<string, unknown>,
	orchestrator: Record<string, unknown> = {},
) {
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				envFile: '.env',
				metricsExportDir: 'metrics',
				killGraceSeconds: 2,
				...orchestrator,
			},
			agents,
			notify,
		}),
	);
	return file;
}

describe('notify targets through the CLI, against a real local HTTP server', () => {
	test('a halt reaches a json target with the reason and what did not run; the URL from the env file is in no output', async () => {
		const {received, base} = await hookServer();
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, '.env'), `HOOK_URL=${base}/hook/${secret}\n`);
		const file = writeConfig(
			dir,
			[
				{url: '${HOOK_URL}', format: 'json', events: ['halt']},
				// The default events: the monitor's alert for the halt must not make it two.
				{url: `${base}/default`, format: 'json', minLevel: 'critical'},
			],
			{
				risk: {
					command: ['node', fixture('halt.mjs'), 'VaR 4.6% > 4%'],
					enabled: true,
					critical: true,
				},
				trading: {command: ['node', fixture('exit.mjs'), '0'], enabled: true},
			},
		);
		const env = isolatedEnv();
		const run = await runCli(
			['--headless', '--once', '--json', '--config', file],
			{env},
		);
		expect(run.exitCode).toBe(3);
		// The stop waits for the queue: the requests are in when the process has ended.
		const hook = received.filter(entry => entry.url.startsWith('/hook/'));
		expect(hook).toHaveLength(1);
		expect(hook[0]?.url).toBe(`/hook/${secret}`);
		const fromDefault = received.filter(entry => entry.url === '/default');
		expect(fromDefault.map(entry => JSON.parse(entry.body) as unknown)).toEqual(
			[JSON.parse(hook[0]!.body)],
		);
		expect(JSON.parse(hook[0]!.body)).toMatchObject({
			type: 'alert',
			level: 'critical',
			agent: 'risk',
			cycle: 1,
			reason: 'VaR 4.6% > 4%',
			not_run: ['trading'],
			// The config's name as the screen shows it: relative to the folder it runs in, else whole.
			config: file,
		});

		const validate = await runCli(['validate', '--config', file], {env});
		const validateJson = await runCli(
			['validate', '--json', '--config', file],
			{
				env,
			},
		);
		expect(validate.stdout).toContain('#1 json 127.0.0.1');
		for (const output of [run, validate, validateJson]) {
			expect(output.stdout + output.stderr).not.toContain(secret);
		}
	});

	test('100 identical alerts from an agent in a moment become a few requests; the metrics count the folded ones', async () => {
		const {received, base} = await hookServer();
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, '.env'), '');
		const burst = path.join(dir, 'burst.mjs');
		writeFileSync(
			burst,
			"for (let i = 0; i < 100; i++) console.log('::moondev::' + JSON.stringify({type: 'alert', level: 'warning', message: 'spread unusually wide'}));\n",
		);
		const file = writeConfig(dir, [{url: `${base}/hook`, format: 'json'}], {
			news: {command: ['node', burst], enabled: true},
		});
		const run = await runCli(
			['--headless', '--once', '--json', '--config', file],
			{env: isolatedEnv()},
		);
		expect(run.exitCode).toBe(0);
		const alerts = received.filter(entry =>
			entry.body.includes('spread unusually wide'),
		);
		expect(alerts).toHaveLength(1);
		// The engine passes on 10 alerts an attempt and says it held back the rest: a few requests.
		expect(received).toHaveLength(2);
		expect(received[1]?.body).toContain(
			'sent 90 more alerts this attempt; held back',
		);
		const exported = run.stdout
			.split('\n')
			.filter(Boolean)
			.map(line => JSON.parse(line) as {type: string; path?: string})
			.find(event => event.type === 'metrics_exported');
		const metrics = JSON.parse(readFileSync(exported!.path!, 'utf8')) as {
			notifications: Record<string, {sent: number; folded: number}>;
		};
		expect(Object.entries(metrics.notifications)).toEqual([
			[
				expect.stringMatching(/^#1 json 127\.0\.0\.1:\d+$/v),
				expect.objectContaining({folded: 9}),
			],
		]);
	});

	test('a target that never answers costs the cycle nothing: the run ends, the request is left', async () => {
		const {received, base} = await hookServer(() => 'never');
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, '.env'), '');
		const file = writeConfig(
			dir,
			[
				{
					url: `${base}/slow`,
					format: 'json',
					minLevel: 'info',
					events: ['alert', 'cycle_end'],
					timeoutSeconds: 60,
				},
			],
			{news: {command: ['node', fixture('exit.mjs'), '0'], enabled: true}},
		);
		const run = await runCli(
			['--headless', '--once', '--json', '--config', file],
			{
				env: isolatedEnv(),
			},
		);
		expect(run.exitCode).toBe(0);
		expect(run.stdout).toContain('"type":"cycle_end"');
		expect(received.length).toBeGreaterThan(0);
	});

	test('a heartbeat target hears from every cycle', async () => {
		const {received, base} = await hookServer();
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, '.env'), '');
		const file = writeConfig(
			dir,
			[{url: `${base}/ping/abc`, format: 'heartbeat'}],
			{news: {command: ['node', fixture('exit.mjs'), '0'], enabled: true}},
			{sleepBetweenRunsMinutes: 0.001},
		);
		const engine = startCli(['--headless', '--json', '--config', file], {
			env: isolatedEnv(),
		});
		await waitFor(() => received.length >= 3, 20_000, 'three heartbeats');
		engine.kill('SIGTERM');
		await engine;
		expect(
			received
				.slice(0, 3)
				.map(entry => /cycle (\d+) ok/v.exec(entry.body)?.[1]),
		).toEqual(['1', '2', '3']);
	});

	test('notify test sends one message to every target and reports each by its label only', async () => {
		const {received, base} = await hookServer(request =>
			request.url.startsWith('/missing') ? 404 : 200,
		);
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, '.env'), `TOKEN=${secret}\n`);
		const file = writeConfig(
			dir,
			[
				{url: `${base}/ok/\${TOKEN}`, format: 'slack'},
				{url: `${base}/missing/\${TOKEN}`, format: 'discord'},
			],
			{news: {command: ['node', fixture('exit.mjs'), '0'], enabled: true}},
		);
		const result = await runCli(['notify', 'test', '--config', file], {
			env: isolatedEnv(),
		});
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toMatch(
			/^#1 slack 127\.0\.0\.1:\d+: ok \(HTTP 200, \d+ ms\)$/mv,
		);
		expect(result.stdout).toMatch(
			/^#2 discord 127\.0\.0\.1:\d+: failed \(HTTP 404, \d+ ms\)$/mv,
		);
		expect(result.stdout + result.stderr).not.toContain(secret);
		expect(received).toHaveLength(2);
		expect(
			JSON.parse(received.find(entry => entry.url.startsWith('/ok'))!.body),
		).toHaveProperty('text');
	});

	test('config mistakes name the key, never the URL', async () => {
		const dir = temporaryDirectory();
		writeFileSync(
			path.join(dir, '.env'),
			`BAD=not a url ${secret}\nSCHEMED=sk-live-${secret}:rest\n`,
		);
		const agents = {
			news: {command: ['node', fixture('exit.mjs'), '0'], enabled: true},
		};
		const cases: Array<[unknown[], string]> = [
			[
				[{url: '${MISSING}', format: 'json'}],
				'notify[0].url: ${MISSING} is not set',
			],
			[[{url: '${BAD}', format: 'json'}], 'notify[0].url: not a URL'],
			[
				[
					{
						url: 'https://api.telegram.org/bot1/sendMessage',
						format: 'telegram',
					},
				],
				'notify[0].chatId: format telegram needs the chat id',
			],
			[[{url: 'https://x.example', format: 'teams'}], 'notify[0].format'],
			// A token-like value's "scheme" parses as a URL's: not quoted either.
			[
				[{url: '${SCHEMED}', format: 'json'}],
				'notify[0].url: expected an https:// or http:// URL (the value is not shown',
			],
			[
				[{url: [`https://u:${secret}@hk.io/x`], format: 'json'}],
				'notify[0].url',
			],
			[
				[
					{
						url: 'https://api.telegram.org/bot1/sendMessage',
						format: 'telegram',
						chatId: `${secret}`.length + 0.5,
					},
				],
				'notify[0].chatId',
			],
		];
		for (const [notify, message] of cases) {
			const file = writeConfig(dir, notify, agents);

			const result = await runCli(['validate', '--config', file], {
				env: isolatedEnv(),
			});
			expect(result.exitCode).toBe(2);
			expect(result.stderr).toContain(message);
			expect(result.stderr).not.toContain(secret);
		}
	});
});
