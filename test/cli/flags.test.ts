import {describe, expect, test} from 'vitest';
import {ConfigError} from '../../source/config/config-error.js';
import {overridesFromFlags, type RawFlags} from '../../source/cli/flags.js';

const none: RawFlags = {
	headless: false,
	json: false,
	once: false,
	demo: false,
	yes: false,
	follow: false,
};

function errorOf(flags: Partial<RawFlags>): string {
	try {
		overridesFromFlags({...none, ...flags});
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as Error).message;
	}

	throw new Error(`expected a ConfigError for ${JSON.stringify(flags)}`);
}

describe('overridesFromFlags', () => {
	test('no flags override nothing', () => {
		expect(overridesFromFlags(none)).toEqual({
			agents: undefined,
			maxWorkers: undefined,
			timeoutPerAgent: undefined,
			sleepBetweenRunsMinutes: undefined,
			metricsExportDir: undefined,
		});
	});

	test('good values become the overrides', () => {
		expect(
			overridesFromFlags({
				...none,
				agents: 'risk,trading',
				maxWorkers: '8',
				timeout: '2.5',
				sleep: '0',
				metricsDir: 'out/metrics',
			}),
		).toEqual({
			agents: ['risk', 'trading'],
			maxWorkers: 8,
			timeoutPerAgent: 2.5,
			sleepBetweenRunsMinutes: 0,
			metricsExportDir: 'out/metrics',
		});
	});

	describe('--agents', () => {
		test('names are trimmed and empty entries dropped', () => {
			expect(
				overridesFromFlags({...none, agents: ' risk , trading,,news, '}).agents,
			).toEqual(['risk', 'trading', 'news']);
			expect(overridesFromFlags({...none, agents: 'risk'}).agents).toEqual([
				'risk',
			]);
		});

		test.each(['', ' ', ',', ' , ,, '])('%j names no agent', text => {
			expect(errorOf({agents: text})).toBe(
				`--agents: expected a comma-separated list of agents, got "${text}"`,
			);
		});
	});

	describe('--max-workers', () => {
		test.each([
			['1', 1],
			['64', 64],
			[' 3 ', 3],
		])('%j is %d', (text, value) => {
			expect(overridesFromFlags({...none, maxWorkers: text}).maxWorkers).toBe(
				value,
			);
		});

		test.each([
			'0',
			'-1',
			'1.5',
			'abc',
			'',
			' ',
			'Infinity',
			'NaN',
			'2 workers',
		])('%j is refused with the expected range', text => {
			expect(errorOf({maxWorkers: text})).toBe(
				`--max-workers: expected a whole number >= 1, got "${text}"`,
			);
		});
	});

	describe('--timeout', () => {
		test.each([
			['0.001', 0.001],
			['300', 300],
			['2147483', 2_147_483],
		])('%j is %d seconds', (text, value) => {
			expect(overridesFromFlags({...none, timeout: text}).timeoutPerAgent).toBe(
				value,
			);
		});

		test.each(['0', '-5', '2147484', '1e10', 'Infinity', '', 'soon'])(
			'%j is refused: a timer cannot hold it, or it is no time',
			text => {
				expect(errorOf({timeout: text})).toBe(
					`--timeout: expected a positive number of seconds, at most 2147483, got "${text}"`,
				);
			},
		);
	});

	describe('--sleep', () => {
		test.each([
			['0', 0],
			['0.5', 0.5],
			['60', 60],
		])('%j is %d minutes', (text, value) => {
			expect(
				overridesFromFlags({...none, sleep: text}).sleepBetweenRunsMinutes,
			).toBe(value);
		});

		test.each(['-1', '-0.1', 'abc', '', '  ', 'Infinity'])(
			'%j is refused',
			text => {
				expect(errorOf({sleep: text})).toBe(
					`--sleep: expected a number of minutes >= 0, got "${text}"`,
				);
			},
		);
	});

	describe('--metrics-dir', () => {
		test('a folder is kept as typed', () => {
			expect(
				overridesFromFlags({...none, metricsDir: ' with spaces '})
					.metricsExportDir,
			).toBe(' with spaces ');
		});

		test.each(['', '   '])('%j is refused', text => {
			expect(errorOf({metricsDir: text})).toBe(
				'--metrics-dir: expected a folder, got ""',
			);
		});
	});

	test('the first bad flag is the one named', () => {
		expect(errorOf({maxWorkers: '0', timeout: '0'})).toMatch(/^--max-workers/v);
	});
});
