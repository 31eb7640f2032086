import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {ConfigError} from '../../source/config/config-error.js';
import {configJsonSchema} from '../../source/config/json-schema.js';
import {loadConfig, NoConfigError} from '../../source/config/load-config.js';
import {buildConfig, repoRoot, temporaryDirectory} from '../helpers/index.js';

const bundledConfigFile = path.join(repoRoot, '.config', 'moondev.json');

/** Writes a config file and loads it, from `dir` as the current folder. */
function load(
	raw: unknown,
	options: {
		dir?: string;
		name?: string;
		overrides?: Parameters<typeof loadConfig>[0]['overrides'];
	} = {},
) {
	const dir = options.dir ?? temporaryDirectory();
	const file = path.join(dir, options.name ?? 'moondev.json');
	mkdirSync(path.dirname(file), {recursive: true});
	writeFileSync(file, typeof raw === 'string' ? raw : JSON.stringify(raw));
	return loadConfig({
		configFlag: options.name ?? 'moondev.json',
		cwd: dir,
		bundledConfigFile,
		overrides: options.overrides,
	});
}

function errorOf(action: () => unknown): string {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as Error).message;
	}

	throw new Error('expected a ConfigError');
}

describe('defaults', () => {
	test('a minimal config gets the contract defaults', () => {
		const config = buildConfig({
			agents: {
				risk: {command: 'true', critical: true},
				news: {command: 'true'},
			},
		});
		expect(config.orchestrator).toMatchObject({
			maxRetries: 3,
			timeoutPerAgent: 300,
			backoffMultiplier: 2,
			backoffBaseSeconds: 1,
			maxWorkers: 4,
			killGraceSeconds: 5,
			sleepBetweenRunsMinutes: 15,
			enableMonitoring: true,
			enableHealthChecks: true,
			metricsRetention: 1000,
			healthWindow: 20,
		});
		const [risk, news] = config.agents;
		expect(risk).toMatchObject({
			enabled: false,
			critical: true,
			retries: 3,
			onFailure: 'halt',
		});
		expect(news).toMatchObject({enabled: false, critical: false, retries: 0});
	});

	test('without phases: the critical agents in order, then every other agent in parallel', () => {
		const config = buildConfig({
			agents: {
				a: {command: 'x'},
				r1: {command: 'x', critical: true},
				b: {command: 'x'},
				r2: {command: 'x', critical: true},
			},
		});
		expect(config.phases).toEqual([
			{
				name: 'critical',
				mode: 'sequential',
				agents: ['r1', 'r2'],
				timeoutPerAgent: undefined,
			},
			{
				name: 'parallel',
				mode: 'parallel',
				agents: ['a', 'b'],
				timeoutPerAgent: undefined,
			},
		]);
	});
});

describe('errors name the file and the key', () => {
	test('a wrong type', () => {
		const message = errorOf(() =>
			load({agents: {trading: {command: 'x', timeout: -1}}}),
		);
		expect(message).toBe(
			'moondev.json: agents.trading.timeout: expected a positive number, got -1',
		);
	});

	test('a config in .config/ is named by its relative path', () => {
		const message = errorOf(() =>
			load(
				{orchestrator: {maxWorkers: 'four'}, agents: {}},
				{name: '.config/moondev.json'},
			),
		);
		expect(message).toBe(
			'.config/moondev.json: orchestrator.maxWorkers: expected a whole number >= 1, got "four"',
		);
	});

	test('an unknown key, with the key that was meant', () => {
		const message = errorOf(() =>
			load({orchestrator: {maxWorker: 2}, agents: {}}),
		);
		expect(message).toBe(
			'moondev.json: orchestrator.maxWorker: unknown key (did you mean "maxWorkers"?)',
		);
	});

	test('an unknown agent key', () => {
		expect(
			errorOf(() => load({agents: {risk: {command: 'x', critcal: true}}})),
		).toBe(
			'moondev.json: agents.risk.critcal: unknown key (did you mean "critical"?)',
		);
	});

	test('a missing command', () => {
		expect(errorOf(() => load({agents: {risk: {enabled: true}}}))).toMatch(
			/^moondev\.json: agents\.risk\.command: expected/,
		);
	});

	test('invalid JSON gives the line and column', () => {
		const message = errorOf(() => load('{\n  "agents": {\n    "risk": }\n}'));
		expect(message).toMatch(/^moondev\.json: invalid JSON: line 3, column 13/);
	});

	test('unknown agents in phases, dependsOn, requireHealthy and --agents', () => {
		const agents = {risk: {command: 'x'}, trading: {command: 'x'}};
		expect(
			errorOf(() =>
				load({agents, phases: [{name: 'p', agents: ['risk', 'tradng']}]}),
			),
		).toBe(
			'moondev.json: phases[0].agents[1]: unknown agent "tradng" (did you mean "trading"?)',
		);
		expect(
			errorOf(() =>
				load({
					agents: {...agents, copybot: {command: 'x', dependsOn: ['nope']}},
				}),
			),
		).toBe('moondev.json: agents.copybot.dependsOn[0]: unknown agent "nope"');
		expect(
			errorOf(() =>
				load({
					agents: {...agents, copybot: {command: 'x', requireHealthy: ['rsk']}},
				}),
			),
		).toBe(
			'moondev.json: agents.copybot.requireHealthy[0]: unknown agent "rsk" (did you mean "risk"?)',
		);
		expect(
			errorOf(() => load({agents}, {overrides: {agents: ['risk', 'ghost']}})),
		).toBe('--agents: unknown agent "ghost"');
	});

	test('an agent in two phases would run twice', () => {
		const message = errorOf(() =>
			load({
				agents: {risk: {command: 'x'}},
				phases: [
					{name: 'a', agents: ['risk']},
					{name: 'b', agents: ['risk']},
				],
			}),
		);
		expect(message).toBe(
			'moondev.json: phases[1].agents[0]: "risk" is already in phase "a"',
		);
	});

	test('a dependency that runs later, and a loop', () => {
		const later = {
			agents: {
				risk: {command: 'x', critical: true, dependsOn: ['news']},
				news: {command: 'x'},
			},
		};
		expect(errorOf(() => load(later))).toBe(
			'moondev.json: agents.risk.dependsOn[0]: "news" runs after "risk"',
		);
		const loop = {
			agents: {
				a: {command: 'x', dependsOn: ['b']},
				b: {command: 'x', dependsOn: ['a']},
			},
		};
		expect(errorOf(() => load(loop))).toMatch(
			/dependsOn: dependency loop: a → b → a|dependency loop: b → a → b/,
		);
	});

	test('a shell operator in a command string', () => {
		expect(
			errorOf(() =>
				load({agents: {risk: {command: 'python3 risk.py | tee log'}}}),
			),
		).toMatch(/^moondev\.json: agents\.risk\.command: "\|" needs a shell/);
	});

	test('a missing env file', () => {
		expect(
			errorOf(() => load({orchestrator: {envFile: '.env'}, agents: {}})),
		).toMatch(
			/^moondev\.json: orchestrator\.envFile: cannot read env file .*\.env: file not found$/,
		);
	});
});

describe('resolution', () => {
	test('string commands are split like a shell, never run through one; "node" is this Node', () => {
		const config = buildConfig({
			agents: {
				a: {
					command: `python3 src/agents/trading_agent.py --note "two words" 'it''s'`,
				},
				b: {command: ['node', 'agents/risk.js']},
			},
		});
		expect(config.agents[0]?.command).toEqual([
			'python3',
			'src/agents/trading_agent.py',
			'--note',
			'two words',
			'its',
		]);
		expect(config.agents[1]?.command).toEqual([
			process.execPath,
			'agents/risk.js',
		]);
	});

	test('relative paths resolve against the config folder, or the project for .config/', () => {
		const dir = temporaryDirectory();
		const raw = {
			agents: {a: {command: './bin/agent.sh', cwd: 'work'}},
			orchestrator: {metricsExportDir: 'out'},
		};
		const plain = load(raw, {dir, name: 'bots/moondev.json'});
		expect(plain.agents[0]?.command[0]).toBe(
			path.join(dir, 'bots', 'bin', 'agent.sh'),
		);
		expect(plain.agents[0]?.cwd).toBe(path.join(dir, 'bots', 'work'));
		expect(plain.orchestrator.metricsExportDir).toBe(
			path.join(dir, 'bots', 'out'),
		);
		const dotConfig = load(raw, {dir, name: '.config/moondev.json'});
		expect(dotConfig.agents[0]?.command[0]).toBe(
			path.join(dir, 'bin', 'agent.sh'),
		);
		expect(dotConfig.orchestrator.metricsExportDir).toBe(path.join(dir, 'out'));
	});

	test('promFile: relative to the same folder as metricsExportDir; by default moondev.prom beside the metrics', () => {
		const dir = temporaryDirectory();
		const agents = {a: {command: 'x'}};
		const byDefault = load(
			{agents, orchestrator: {metricsExportDir: 'out'}},
			{dir, name: '.config/moondev.json'},
		);
		expect(byDefault.orchestrator.promFile).toBe(
			path.join(dir, 'out', 'moondev.prom'),
		);
		const relative = load(
			{agents, orchestrator: {promFile: 'textfile/bots.prom'}},
			{dir, name: '.config/moondev.json'},
		);
		expect(relative.orchestrator.promFile).toBe(
			path.join(dir, 'textfile', 'bots.prom'),
		);
		const nodeExporter =
			'/var/lib/node_exporter/textfile_collector/moondev.prom';
		expect(
			load({agents, orchestrator: {promFile: nodeExporter}}, {dir}).orchestrator
				.promFile,
		).toBe(nodeExporter);
		// --metrics-dir moves the default along; a promFile stays where it says.
		const overrides = {metricsExportDir: 'elsewhere'};
		expect(load({agents}, {dir, overrides}).orchestrator.promFile).toBe(
			path.join(dir, 'elsewhere', 'moondev.prom'),
		);
		expect(
			load({agents, orchestrator: {promFile: nodeExporter}}, {dir, overrides})
				.orchestrator.promFile,
		).toBe(nodeExporter);
	});

	test('a promFile must end in .prom: node_exporter reads nothing else', () => {
		for (const promFile of [
			'/var/lib/node_exporter/textfile_collector',
			'/var/lib/node_exporter/textfile_collector/',
			'moondev.prom.txt',
			'.prom',
			'dir/.prom',
		]) {
			expect(
				errorOf(() =>
					load({agents: {a: {command: 'x'}}, orchestrator: {promFile}}),
				),
			).toBe(
				`moondev.json: orchestrator.promFile: expected a file path ending in .prom (node_exporter's textfile collector reads only *.prom), got ${promFile.length > 38 ? `${JSON.stringify(promFile).slice(0, 37)}...` : JSON.stringify(promFile)}`,
			);
		}

		expect(
			errorOf(() =>
				load({agents: {a: {command: 'x'}}, orchestrator: {promFile: 9100}}),
			),
		).toBe(
			'moondev.json: orchestrator.promFile: expected a path ending in .prom, got 9100',
		);
	});

	test('env files and env merge in order: orchestrator, agent file, agent env', () => {
		const dir = temporaryDirectory();
		writeFileSync(
			path.join(dir, '.env'),
			'API_KEY=from-shared\nMODEL=large\n# a comment\nQUOTED="a b"\n',
		);
		writeFileSync(path.join(dir, 'agent.env'), 'MODEL=medium\n');
		const config = load(
			{
				orchestrator: {envFile: '.env'},
				agents: {a: {command: 'x', envFile: ['agent.env'], env: {EXTRA: '1'}}},
			},
			{dir},
		);
		expect(config.agents[0]?.env).toEqual({
			API_KEY: 'from-shared',
			MODEL: 'medium',
			QUOTED: 'a b',
			EXTRA: '1',
		});
		expect(config.envFiles).toEqual([
			path.join(dir, '.env'),
			path.join(dir, 'agent.env'),
		]);
	});

	test('command-line overrides win', () => {
		const config = load(
			{agents: {a: {command: 'x', enabled: true}, b: {command: 'x'}}},
			{
				overrides: {
					agents: ['b'],
					maxWorkers: 9,
					timeoutPerAgent: 7,
					sleepBetweenRunsMinutes: 0,
					metricsExportDir: 'm',
				},
			},
		);
		expect(config.agents.map(agent => [agent.name, agent.enabled])).toEqual([
			['a', false],
			['b', true],
		]);
		expect(config.orchestrator).toMatchObject({
			maxWorkers: 9,
			timeoutPerAgent: 7,
			sleepBetweenRunsMinutes: 0,
		});
		expect(path.basename(config.orchestrator.metricsExportDir)).toBe('m');
	});

	test('without a config file, an error that says where it looked and how to start; never the demo', () => {
		const dir = temporaryDirectory();
		expect(() => loadConfig({cwd: dir, bundledConfigFile})).toThrow(
			NoConfigError,
		);
		expect(() => loadConfig({cwd: dir, bundledConfigFile})).toThrow(
			/^no config found: looked for .*\n.*moondev-tui init.*\n.*--config <file>.*\n.*--demo/v,
		);
	});

	test('--demo: the bundled demo, writing below data/moondev-demo of the current folder', () => {
		const dir = temporaryDirectory();
		const config = loadConfig({cwd: dir, bundledConfigFile, demo: true});
		expect(config.isBundledDemo).toBe(true);
		expect(config.baseDir).toBe(repoRoot.replace(/\/$/, ''));
		expect(config.homeDir).toBe(path.join(dir, 'data', 'moondev-demo'));
		expect(
			config.orchestrator.metricsExportDir.startsWith(config.homeDir),
		).toBe(true);
		expect(() =>
			loadConfig({
				cwd: dir,
				bundledConfigFile,
				demo: true,
				configFlag: 'x.json',
			}),
		).toThrow('--demo runs the bundled demo config');
	});
});

test('risk first: custom phases that run an agent before or beside a critical one are refused', () => {
	const agents = {
		risk: {command: ['true'], enabled: true, critical: true},
		trading: {command: ['true'], enabled: true},
	};
	expect(() =>
		buildConfig({
			agents,
			phases: [
				{name: 'a', agents: ['trading'], mode: 'parallel'},
				{name: 'c', agents: ['risk'], mode: 'sequential'},
			],
		}),
	).toThrow(
		'phases[0].agents[0]: trading would run before a critical agent (phase "c"): critical agents go in phases before every other agent',
	);
	expect(() =>
		buildConfig({
			agents,
			phases: [{name: 'a', agents: ['risk', 'trading'], mode: 'parallel'}],
		}),
	).toThrow('trading would run beside a critical agent (phase "a")');
	expect(
		buildConfig({
			agents,
			phases: [
				{name: 'c', agents: ['risk'], mode: 'sequential'},
				{name: 'a', agents: ['trading'], mode: 'parallel'},
			],
		}).phases.map(phase => phase.name),
	).toEqual(['c', 'a']);
});

test('moondev.schema.json is the one the loader schema makes (npm run schema)', () => {
	const committed = JSON.parse(
		readFileSync(path.join(repoRoot, 'moondev.schema.json'), 'utf8'),
	) as unknown;
	expect(committed).toEqual(configJsonSchema());
});

test('an env mistake never quotes the value: it may be a secret', () => {
	const message = errorOf(() =>
		load({agents: {a: {command: 'x', env: {SECRET_TOKEN: 1_234_567_890_123}}}}),
	);
	expect(message).toBe(
		'moondev.json: agents.a.env.SECRET_TOKEN: expected a string value',
	);
	expect(
		errorOf(() =>
			load({agents: {a: {command: 'x', env: 'API_KEY=sk-secret'}}}),
		),
	).toBe('moondev.json: agents.a.env: expected an object of strings');
});

test('a critical agent in no custom phase is an error: trading would go unchecked', () => {
	const message = errorOf(() =>
		load({
			agents: {risk: {command: 'x', critical: true}, trading: {command: 'x'}},
			phases: [{name: 'p', agents: ['trading']}],
		}),
	);
	expect(message).toBe(
		'moondev.json: phases: critical agent "risk" is in no phase',
	);
});

test('a timer longer than Node can hold is refused, not turned into "at once"', () => {
	expect(() =>
		buildConfig({
			orchestrator: {killGraceSeconds: 3_000_000},
			agents: {a: {command: ['true']}},
		}),
	).toThrow(
		/orchestrator\.killGraceSeconds: expected at most 2147483 seconds \(24\.8 days\)/,
	);
});
