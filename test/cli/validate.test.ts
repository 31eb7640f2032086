import {writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {savedToggles} from '../../source/cli/saved-toggles.js';
import {describeConfig, formatCommand} from '../../source/cli/validate.js';
import {parseConfig} from '../../source/config/load-config.js';
import {buildConfig, temporaryDirectory} from '../helpers/index.js';

/* `moondev-tui validate`: the resolved config as text and as JSON, env variables by name only. */

const secrets = [
	'shared-secret-value',
	'trade-secret-value',
	'risk-secret-value',
];

/** A config using most of what validate shows, with env values that must never be printed. */
function fullConfig() {
	const dir = temporaryDirectory();
	writeFileSync(
		path.join(dir, '.env'),
		'MOONDEV_TEST_SHARED_KEY=shared-secret-value\n',
	);
	writeFileSync(
		path.join(dir, 'trading.env'),
		'MOONDEV_TEST_TRADE_KEY=trade-secret-value\n',
	);
	const config = buildConfig(
		{
			orchestrator: {envFile: '.env', maxWorkers: 2, metricsRetention: 0},
			agents: {
				risk: {
					command: 'node risk.js --fast',
					enabled: true,
					critical: true,
					requireVerdict: true,
					retries: 1,
					description: 'Checks VaR',
					env: {MOONDEV_TEST_RISK_TOKEN: 'risk-secret-value'},
					haltExitCode: 3,
				},
				trading: {
					command: ['./bin/trade', "it's here"],
					enabled: true,
					envFile: 'trading.env',
					cwd: 'work',
					timeout: 30,
					dependsOn: ['risk'],
					requireHealthy: ['risk'],
					when: {hours: '9-16', days: ['mon', 'tue']},
				},
				news: {command: 'news', onFailure: 'continue'},
			},
		},
		dir,
	);
	return {dir, config};
}

describe('validate as text', () => {
	test('every setting, phase and agent, in lines people read', () => {
		const {dir, config} = fullConfig();
		expect(describeConfig(config, false).split('\n')).toEqual([
			'moondev.json: valid',
			`base folder: ${dir}`,
			'orchestrator: maxWorkers 2, timeoutPerAgent 300s, maxRetries 3, backoff 1s × 2^k, killGrace 5s, sleep 15 min',
			`metrics: ${path.join(dir, 'data', 'orchestrator')} (keep all, health over 20 runs, monitoring on, health checks on)`,
			`env files: ${path.join(dir, '.env')}, ${path.join(dir, 'trading.env')}`,
			'phases (default):',
			'  1. critical (sequential): risk',
			'  2. parallel (parallel, 2 workers): trading, news',
			'agents:',
			'  risk     enabled   critical (retries 1, on failure halt)  timeout 300s',
			'           $ node risk.js --fast',
			'           Checks VaR',
			'           env: MOONDEV_TEST_SHARED_KEY, MOONDEV_TEST_RISK_TOKEN',
			'           exit code 3 halts',
			'  trading  enabled   retries 0  timeout 30s',
			String.raw`           $ ${path.join(dir, 'bin', 'trade')} 'it'\''s here'`,
			`           cwd: ${path.join(dir, 'work')}`,
			'           env: MOONDEV_TEST_SHARED_KEY, MOONDEV_TEST_TRADE_KEY',
			'           depends on: risk',
			'           requires healthy: risk',
			'           when: hours 9-16 mon,tue',
			'  news     disabled  retries 0  timeout 300s',
			'           $ news',
			'           env: MOONDEV_TEST_SHARED_KEY',
			'warning: agents.news.onFailure: only critical agents halt the cycle; ignored',
		]);
	});

	test('no env value is printed, only the names', () => {
		const {config} = fullConfig();
		// The values are there to be run with …
		expect(config.agents[1]?.env).toEqual({
			MOONDEV_TEST_SHARED_KEY: 'shared-secret-value',
			MOONDEV_TEST_TRADE_KEY: 'trade-secret-value',
		});
		const saved = {
			toggles: savedToggles(config, {trading: false}),
			file: '/home/someone/.config/moondev-tui-nodejs/config.json',
		};
		const text = describeConfig(config, false, saved);
		expect(text).toContain('MOONDEV_TEST_TRADE_KEY');
		// … and never shown.
		for (const secret of secrets) {
			expect(text).not.toContain(secret);
		}
	});

	test('the bundled demo says so; a retention is the number kept', () => {
		const dir = temporaryDirectory();
		const config = parseConfig(
			{agents: {demo: {command: 'x', enabled: true}}},
			{file: path.join(dir, 'demo.json'), cwd: dir, isBundledDemo: true},
		);
		const lines = describeConfig(config, false).split('\n');
		expect(lines[0]).toBe('demo.json: valid (the bundled demo config)');
		expect(lines[3]).toBe(
			`metrics: ${path.join(dir, 'data', 'moondev-demo', 'data', 'orchestrator')} (keep 1000, health over 20 runs, monitoring on, health checks on)`,
		);
		// No env file read: no line for them.
		expect(lines[4]).toBe('phases (default):');
		expect(lines).toContain('  1. critical (sequential): (none)');
	});

	test('custom phases: their modes, timeouts and agents; monitoring off shown', () => {
		const config = buildConfig({
			orchestrator: {enableMonitoring: false, enableHealthChecks: false},
			agents: {
				risk: {command: 'x', enabled: true, critical: true},
				trading: {command: 'x', enabled: true},
			},
			phases: [
				{
					name: 'checks',
					mode: 'sequential',
					agents: ['risk'],
					timeoutPerAgent: 10,
				},
				{name: 'rest', agents: []},
			],
		});
		const lines = describeConfig(config, false).split('\n');
		expect(lines[3]).toMatch(/monitoring off, health checks off\)$/v);
		expect(lines.slice(4, 7)).toEqual([
			'phases:',
			'  1. checks (sequential, timeout 10s): risk',
			'  2. rest (parallel, 4 workers): (none)',
		]);
		expect(lines.filter(line => line.startsWith('warning: '))).toEqual([
			'warning: agents.risk: a critical agent without requireVerdict passes by exiting 0, even having checked nothing; set "requireVerdict": true and have it say pass or halt',
			'warning: agents.trading: enabled but in no phase, so it never runs',
		]);
	});

	test("an agent's timeout shown is the one it runs with: its phase's before the orchestrator's", () => {
		// The engine (run-attempts.ts) times risk out after 10 s, and so must validate say.
		const config = buildConfig({
			agents: {risk: {command: 'x', enabled: true, critical: true}},
			phases: [{name: 'checks', agents: ['risk'], timeoutPerAgent: 10}],
		});
		expect(describeConfig(config, false)).toMatch(
			/^ {2}risk {2}enabled {3}critical \(retries 3, on failure halt\) {2}timeout 10s$/mv,
		);
	});

	test('saved toggles are listed after the agents, with the file they are kept in', () => {
		const {config} = fullConfig();
		const lines = describeConfig(config, false, {
			toggles: savedToggles(config, {news: true, risk: false}),
			file: '/home/someone/.config/moondev-tui-nodejs/config.json',
		}).split('\n');
		expect(lines.slice(-4)).toEqual([
			'saved toggles (/home/someone/.config/moondev-tui-nodejs/config.json; `moondev-tui toggles reset` forgets them):',
			'  news  on',
			'  risk  off (ignored: critical: only the config file turns it off)',
			'warning: agents.news.onFailure: only critical agents halt the cycle; ignored',
		]);
		// None saved: no such section.
		expect(
			describeConfig(config, false, {toggles: [], file: 'x'}),
		).not.toContain('saved toggles');
	});
});

describe('validate as JSON', () => {
	test('the resolved config, env as names, commands and folders as written', () => {
		const {dir, config} = fullConfig();
		const toggles = savedToggles(config, {gone: false});
		const text = describeConfig(config, true, {toggles, file: 'x'});
		for (const secret of secrets) {
			expect(text).not.toContain(secret);
		}

		const json = JSON.parse(text) as Record<string, unknown>;
		expect(Object.keys(json)).toEqual([
			'file',
			'baseDir',
			'isBundledDemo',
			'orchestrator',
			'envFiles',
			'phases',
			'agents',
			'notify',
			'warnings',
			'savedToggles',
		]);
		expect(json).toMatchObject({
			file: path.join(dir, 'moondev.json'),
			baseDir: dir,
			isBundledDemo: false,
			orchestrator: {...config.orchestrator},
			envFiles: [path.join(dir, '.env'), path.join(dir, 'trading.env')],
			phases: [
				{name: 'critical', mode: 'sequential', agents: ['risk']},
				{name: 'parallel', mode: 'parallel', agents: ['trading', 'news']},
			],
			notify: [],
			warnings: [
				'agents.news.onFailure: only critical agents halt the cycle; ignored',
			],
			savedToggles: [
				{agent: 'gone', enabled: false, ignored: 'no such agent in the config'},
			],
		});
		const agents = json.agents as unknown[];
		expect(agents[0]).toEqual({
			name: 'risk',
			command: ['node', 'risk.js', '--fast'],
			enabled: true,
			critical: true,
			retries: 1,
			env: ['MOONDEV_TEST_SHARED_KEY', 'MOONDEV_TEST_RISK_TOKEN'],
			cwd: '.',
			description: 'Checks VaR',
			dependsOn: [],
			requireHealthy: [],
			onFailure: 'halt',
			haltExitCode: 3,
			requireVerdict: true,
		});
		expect(agents[1]).toEqual({
			name: 'trading',
			command: [path.join(dir, 'bin', 'trade'), "it's here"],
			enabled: true,
			critical: false,
			retries: 0,
			timeoutSeconds: 30,
			env: ['MOONDEV_TEST_SHARED_KEY', 'MOONDEV_TEST_TRADE_KEY'],
			cwd: 'work',
			dependsOn: ['risk'],
			when: {hours: {from: 9, to: 16}, days: ['mon', 'tue']},
			requireHealthy: ['risk'],
			onFailure: 'halt',
			requireVerdict: false,
		});
		expect(agents[2]).toMatchObject({
			name: 'news',
			command: ['news'],
			env: ['MOONDEV_TEST_SHARED_KEY'],
		});
	});

	test('without saved toggles the list is empty', () => {
		const {config} = fullConfig();
		expect(JSON.parse(describeConfig(config, true))).toMatchObject({
			savedToggles: [],
		});
	});
});

describe('commands as a shell line', () => {
	test('the Node that runs us is "node" as the program only; anything a shell would read is quoted', () => {
		expect(
			formatCommand([
				process.execPath,
				process.execPath,
				'--flag=a,b:c@d%e+f',
				'two words',
				'',
				'$HOME',
				"it's",
				'a;b',
			]),
		).toBe(
			String.raw`node ${process.execPath} --flag=a,b:c@d%e+f 'two words' '' '$HOME' 'it'\''s' 'a;b'`,
		);
	});
});
