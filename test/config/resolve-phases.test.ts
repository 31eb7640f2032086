import {describe, expect, test} from 'vitest';
import {ConfigError, configError} from '../../source/config/config-error.js';
import {
	checkDependencyOrder,
	checkRiskFirst,
	defaultPhases,
	resolveCustomPhases,
} from '../../source/config/resolve-phases.js';
import type {
	ResolvedAgent,
	ResolvedPhase,
} from '../../source/config/resolved-config.js';
import {configSchema} from '../../source/config/schema.js';
import {buildConfig} from '../helpers/index.js';

/* The phases a cycle runs, and the checks on them, with a `fail` that names the file. */

const fail = (keyPath: string, message: string) =>
	configError('moondev.json', keyPath, message);

function errorOf(action: () => unknown): string {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as Error).message;
	}

	throw new Error('expected a ConfigError');
}

function agent(
	name: string,
	overrides: Partial<ResolvedAgent> = {},
): ResolvedAgent {
	return {
		name,
		command: ['node', `${name}.js`],
		enabled: true,
		critical: false,
		retries: 0,
		timeoutSeconds: undefined,
		env: {},
		cwd: '/tmp',
		description: undefined,
		dependsOn: [],
		when: undefined,
		schedule: undefined,
		requireHealthy: [],
		onFailure: 'continue',
		haltExitCode: undefined,
		requireVerdict: false,
		...overrides,
	};
}

function phase(
	name: string,
	agents: string[],
	mode: ResolvedPhase['mode'] = 'parallel',
): ResolvedPhase {
	return {name, mode, agents, timeoutPerAgent: undefined};
}

/** The config as the schema outputs it, defaults filled in. */
function configFile(raw: unknown) {
	return configSchema.parse(raw);
}

const twoAgents = {risk: {command: 'x'}, trading: {command: 'x'}};

describe('defaultPhases', () => {
	test('the critical agents one at a time, in config order, then every other in parallel', () => {
		expect(
			defaultPhases([
				agent('news'),
				agent('risk', {critical: true}),
				agent('trading', {enabled: false}),
				agent('limits', {critical: true, enabled: false}),
			]),
		).toEqual([
			{
				name: 'critical',
				mode: 'sequential',
				agents: ['risk', 'limits'],
				timeoutPerAgent: undefined,
			},
			{
				name: 'parallel',
				mode: 'parallel',
				agents: ['news', 'trading'],
				timeoutPerAgent: undefined,
			},
		]);
	});

	test('both phases are there even when one is empty', () => {
		expect(defaultPhases([agent('news')]).map(each => each.agents)).toEqual([
			[],
			['news'],
		]);
		expect(defaultPhases([]).map(each => [each.name, each.agents])).toEqual([
			['critical', []],
			['parallel', []],
		]);
	});
});

describe('resolveCustomPhases', () => {
	test("the phases as written, with the schema's defaults", () => {
		expect(
			resolveCustomPhases(
				configFile({
					agents: {...twoAgents, news: {command: 'x'}},
					phases: [
						{name: 'risk', agents: ['risk'], mode: 'sequential'},
						{name: 'rest', agents: ['news', 'trading'], timeoutPerAgent: 30},
					],
				}),
				fail,
			),
		).toEqual([
			{
				name: 'risk',
				mode: 'sequential',
				agents: ['risk'],
				timeoutPerAgent: undefined,
			},
			{
				name: 'rest',
				mode: 'parallel',
				agents: ['news', 'trading'],
				timeoutPerAgent: 30,
			},
		]);
	});

	test('no phases in the config, none resolved', () => {
		expect(resolveCustomPhases(configFile({agents: twoAgents}), fail)).toEqual(
			[],
		);
	});

	test('an empty phase is kept', () => {
		expect(
			resolveCustomPhases(
				configFile({agents: twoAgents, phases: [{name: 'later', agents: []}]}),
				fail,
			),
		).toEqual([
			{name: 'later', mode: 'parallel', agents: [], timeoutPerAgent: undefined},
		]);
	});

	test('an unknown agent names its key path, with a hint when one is close', () => {
		const phases = [
			{name: 'a', agents: ['risk']},
			{name: 'b', agents: ['trading', 'rsk']},
		];
		expect(
			errorOf(() =>
				resolveCustomPhases(configFile({agents: twoAgents, phases}), fail),
			),
		).toBe(
			'moondev.json: phases[1].agents[1]: unknown agent "rsk" (did you mean "risk"?)',
		);
		expect(
			errorOf(() =>
				resolveCustomPhases(
					configFile({
						agents: twoAgents,
						phases: [{name: 'a', agents: ['sentiment']}],
					}),
					fail,
				),
			),
		).toBe('moondev.json: phases[0].agents[0]: unknown agent "sentiment"');
	});

	test('a name every object inherits is no agent', () => {
		expect(
			errorOf(() =>
				resolveCustomPhases(
					configFile({
						agents: twoAgents,
						phases: [{name: 'a', agents: ['constructor']}],
					}),
					fail,
				),
			),
		).toBe('moondev.json: phases[0].agents[0]: unknown agent "constructor"');
	});

	test('an agent in two phases would run twice a cycle', () => {
		expect(
			errorOf(() =>
				resolveCustomPhases(
					configFile({
						agents: twoAgents,
						phases: [
							{name: 'first', agents: ['risk', 'trading']},
							{name: 'second', agents: []},
							{name: 'third', agents: ['trading']},
						],
					}),
					fail,
				),
			),
		).toBe(
			'moondev.json: phases[2].agents[0]: "trading" is already in phase "first"',
		);
	});

	test('an agent twice in one phase too', () => {
		expect(
			errorOf(() =>
				resolveCustomPhases(
					configFile({
						agents: twoAgents,
						phases: [{name: 'p', agents: ['risk', 'trading', 'risk']}],
					}),
					fail,
				),
			),
		).toBe('moondev.json: phases[0].agents[2]: "risk" is already in phase "p"');
	});

	test('two phases of one name', () => {
		expect(
			errorOf(() =>
				resolveCustomPhases(
					configFile({
						agents: twoAgents,
						phases: [
							{name: 'p', agents: ['risk']},
							{name: 'q', agents: []},
							{name: 'p', agents: ['trading']},
						],
					}),
					fail,
				),
			),
		).toBe('moondev.json: phases[2].name: duplicate phase name "p"');
	});

	test('what fail returns is what is thrown', () => {
		const sentinel = new ConfigError('sentinel');
		const calls: Array<[string, string]> = [];
		expect(() =>
			resolveCustomPhases(
				configFile({agents: twoAgents, phases: [{name: 'p', agents: ['x']}]}),
				(keyPath, message) => {
					calls.push([keyPath, message]);
					return sentinel;
				},
			),
		).toThrow(sentinel);
		expect(calls).toEqual([['phases[0].agents[0]', 'unknown agent "x"']]);
	});
});

describe('checkDependencyOrder', () => {
	test('a dependency in an earlier phase, or anywhere in the same parallel phase, is fine', () => {
		const agents = [
			agent('data'),
			agent('signals', {dependsOn: ['data']}),
			agent('trading', {dependsOn: ['signals', 'data', 'news']}),
			agent('news'),
		];
		expect(() => {
			checkDependencyOrder(
				agents,
				[
					phase('fetch', ['data']),
					phase('act', ['trading', 'signals', 'news']),
				],
				fail,
			);
		}).not.toThrow();
	});

	test('in a sequential phase, a dependency earlier in the phase is fine', () => {
		expect(() => {
			checkDependencyOrder(
				[agent('limits'), agent('risk', {dependsOn: ['limits']})],
				[phase('risk', ['limits', 'risk'], 'sequential')],
				fail,
			);
		}).not.toThrow();
	});

	test('a dependency later in a sequential phase runs after it', () => {
		expect(
			errorOf(() => {
				checkDependencyOrder(
					[
						agent('risk', {dependsOn: ['data', 'limits']}),
						agent('limits'),
						agent('data'),
					],
					[phase('risk', ['data', 'risk', 'limits'], 'sequential')],
					fail,
				);
			}),
		).toBe(
			'moondev.json: agents.risk.dependsOn[1]: "limits" runs after "risk"',
		);
	});

	test('a dependency in a later phase runs after it', () => {
		const agents = [
			agent('risk', {critical: true, dependsOn: ['news']}),
			agent('news'),
		];
		expect(
			errorOf(() => {
				checkDependencyOrder(agents, defaultPhases(agents), fail);
			}),
		).toBe('moondev.json: agents.risk.dependsOn[0]: "news" runs after "risk"');
	});

	test('a dependency in no phase never succeeds', () => {
		expect(
			errorOf(() => {
				checkDependencyOrder(
					[agent('trading', {dependsOn: ['signals']}), agent('signals')],
					[phase('p', ['trading'])],
					fail,
				);
			}),
		).toBe(
			'moondev.json: agents.trading.dependsOn[0]: "signals" is in no phase, so it never succeeds',
		);
	});

	test('an agent in no phase is not checked: it never runs', () => {
		expect(() => {
			checkDependencyOrder(
				[agent('trading'), agent('backtest', {dependsOn: ['nowhere']})],
				[phase('p', ['trading'])],
				fail,
			);
		}).not.toThrow();
	});

	test('a loop inside a parallel phase would wait forever', () => {
		expect(
			errorOf(() => {
				checkDependencyOrder(
					[agent('a', {dependsOn: ['b']}), agent('b', {dependsOn: ['a']})],
					[phase('p', ['a', 'b'])],
					fail,
				);
			}),
		).toBe('moondev.json: agents.a.dependsOn: dependency loop: a → b → a');
	});

	test('the loop is named alone, from where it closes, not from the agent that leads into it', () => {
		expect(
			errorOf(() => {
				checkDependencyOrder(
					[
						agent('x', {dependsOn: ['a']}),
						agent('a', {dependsOn: ['b']}),
						agent('b', {dependsOn: ['c']}),
						agent('c', {dependsOn: ['a']}),
					],
					[phase('p', ['x', 'a', 'b', 'c'])],
					fail,
				);
			}),
		).toBe('moondev.json: agents.a.dependsOn: dependency loop: a → b → c → a');
	});

	test('an agent that depends on itself is a loop', () => {
		expect(
			errorOf(() => {
				checkDependencyOrder(
					[agent('a', {dependsOn: ['a']})],
					[phase('p', ['a'], 'sequential')],
					fail,
				);
			}),
		).toBe('moondev.json: agents.a.dependsOn: dependency loop: a → a');
	});

	test('a diamond is no loop', () => {
		expect(() => {
			checkDependencyOrder(
				[
					agent('top', {dependsOn: ['left', 'right']}),
					agent('left', {dependsOn: ['base']}),
					agent('right', {dependsOn: ['base']}),
					agent('base'),
				],
				[phase('p', ['top', 'left', 'right', 'base'])],
				fail,
			);
		}).not.toThrow();
	});
});

describe('checkRiskFirst', () => {
	const agents = [
		agent('risk', {critical: true}),
		agent('limits', {critical: true}),
		agent('trading'),
		agent('news'),
	];

	test('critical agents in the first phases, every other after them, is fine', () => {
		expect(() => {
			checkRiskFirst(
				agents,
				[
					phase('risk', ['risk'], 'sequential'),
					phase('limits', ['limits']),
					phase('rest', ['trading', 'news']),
				],
				fail,
			);
		}).not.toThrow();
		expect(() => {
			checkRiskFirst(agents, defaultPhases(agents), fail);
		}).not.toThrow();
	});

	test('without a critical agent any order is fine', () => {
		expect(() => {
			checkRiskFirst(
				[agent('trading'), agent('news')],
				[phase('a', ['news']), phase('b', ['trading'])],
				fail,
			);
		}).not.toThrow();
	});

	test('an empty phase before the risk check is fine', () => {
		expect(() => {
			checkRiskFirst(
				agents,
				[
					phase('warm-up', []),
					phase('risk', ['risk', 'limits']),
					phase('rest', ['trading']),
				],
				fail,
			);
		}).not.toThrow();
	});

	test('an agent in a phase before a critical one would run before it', () => {
		expect(
			errorOf(() => {
				checkRiskFirst(
					agents,
					[
						phase('risk', ['risk']),
						phase('early', ['news', 'trading']),
						phase('late-risk', ['limits']),
					],
					fail,
				);
			}),
		).toBe(
			'moondev.json: phases[1].agents[0]: news would run before a critical agent (phase "late-risk"): critical agents go in phases before every other agent',
		);
	});

	test('an agent in the phase of the last critical agent would run beside it, even in a sequential phase', () => {
		expect(
			errorOf(() => {
				checkRiskFirst(
					agents,
					[
						phase('risk', ['risk']),
						phase('limits', ['limits', 'trading'], 'sequential'),
					],
					fail,
				);
			}),
		).toBe(
			'moondev.json: phases[1].agents[1]: trading would run beside a critical agent (phase "limits"): critical agents go in phases before every other agent',
		);
	});

	test('the first offender is named', () => {
		expect(
			errorOf(() => {
				checkRiskFirst(
					agents,
					[phase('all', ['risk', 'limits', 'trading', 'news'])],
					fail,
				);
			}),
		).toMatch(
			/^moondev\.json: phases\[0\]\.agents\[2\]: trading would run beside/v,
		);
	});

	test('a disabled agent counts: toggles may enable it later', () => {
		expect(
			errorOf(() => {
				checkRiskFirst(
					[agent('risk', {critical: true}), agent('trading', {enabled: false})],
					[phase('all', ['trading', 'risk'])],
					fail,
				);
			}),
		).toMatch(
			/^moondev\.json: phases\[0\]\.agents\[0\]: trading would run beside/v,
		);
	});
});

describe('through parseConfig', () => {
	test('custom phases are resolved and marked', () => {
		const config = buildConfig({
			agents: {...twoAgents, risk: {command: 'x', critical: true}},
			phases: [
				{name: 'check', agents: ['risk'], mode: 'sequential'},
				{name: 'trade', agents: ['trading'], timeoutPerAgent: 60},
			],
		});
		expect(config.hasCustomPhases).toBe(true);
		expect(config.phases).toEqual([
			{
				name: 'check',
				mode: 'sequential',
				agents: ['risk'],
				timeoutPerAgent: undefined,
			},
			{
				name: 'trade',
				mode: 'parallel',
				agents: ['trading'],
				timeoutPerAgent: 60,
			},
		]);
	});

	test('without phases, the default two', () => {
		const config = buildConfig({
			agents: {...twoAgents, risk: {command: 'x', critical: true}},
		});
		expect(config.hasCustomPhases).toBe(false);
		expect(config.phases.map(each => [each.name, each.agents])).toEqual([
			['critical', ['risk']],
			['parallel', ['trading']],
		]);
	});

	test('the errors name the config file and the key', () => {
		expect(() =>
			buildConfig({
				agents: {
					risk: {command: 'x', critical: true},
					trading: {command: 'x', dependsOn: ['signals']},
					signals: {command: 'x'},
				},
				phases: [
					{name: 'check', agents: ['risk']},
					{name: 'trade', agents: ['trading']},
				],
			}),
		).toThrow(
			/moondev\.json: agents\.trading\.dependsOn\[0\]: "signals" is in no phase, so it never succeeds$/v,
		);
		expect(() =>
			buildConfig({
				agents: {risk: {command: 'x', critical: true}, trading: {command: 'x'}},
				phases: [
					{name: 'trade', agents: ['trading']},
					{name: 'trade', agents: ['risk']},
				],
			}),
		).toThrow(
			/moondev\.json: phases\[1\]\.name: duplicate phase name "trade"$/v,
		);
	});
});
