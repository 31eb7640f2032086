import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	configChange,
	describeConfigChange,
	isNoChange,
	restartNeededFor,
} from '../../source/config/config-change.js';
import {buildConfig, temporaryDirectory} from '../helpers/index.js';

const base = {
	orchestrator: {maxWorkers: 4, metricsExportDir: 'metrics'},
	agents: {
		risk: {command: ['node', 'risk.js'], critical: true, enabled: true},
		news: {command: ['node', 'news.js'], enabled: true, env: {TOKEN: 'old'}},
		gone: {command: ['node', 'gone.js']},
	},
};

describe('configChange', () => {
	test('the same config is no change', () => {
		const dir = temporaryDirectory();
		const change = configChange(buildConfig(base, dir), buildConfig(base, dir));
		expect(isNoChange(change)).toBe(true);
		expect(describeConfigChange(change)).toBe('nothing changed');
	});

	test('agents added, removed and changed, orchestrator keys and phases, by name only', () => {
		const dir = temporaryDirectory();
		const next = buildConfig(
			{
				orchestrator: {maxWorkers: 8, metricsExportDir: 'metrics'},
				agents: {
					risk: base.agents.risk,
					news: {...base.agents.news, env: {TOKEN: 'secret-new-value'}},
					fresh: {command: ['node', 'fresh.js']},
				},
				phases: [
					{name: 'checks', mode: 'sequential', agents: ['risk']},
					{name: 'rest', agents: ['news', 'fresh']},
				],
			},
			dir,
		);
		const change = configChange(buildConfig(base, dir), next);
		expect(change).toEqual({
			added: ['fresh'],
			removed: ['gone'],
			// Risk moved to another phase; news's env value changed, a value never said.
			changed: ['risk', 'news'],
			orchestrator: ['maxWorkers'],
			phases: true,
		});
		const text = describeConfigChange(change);
		expect(text).toMatch(
			/^agents added: fresh; removed: gone; changed: risk, news; orchestrator: maxWorkers; phases changed$/v,
		);
		expect(text).not.toContain('secret-new-value');
	});

	test('an agent moved to another phase is changed', () => {
		const dir = temporaryDirectory();
		const phases = (news: string) => ({
			...base,
			phases: [
				{name: 'checks', mode: 'sequential', agents: ['risk']},
				{name: 'one', agents: news === 'one' ? ['news'] : []},
				{name: 'two', agents: news === 'two' ? ['news'] : []},
			],
		});
		const change = configChange(
			buildConfig(phases('one'), dir),
			buildConfig(phases('two'), dir),
		);
		expect(change.changed).toEqual(['news']);
	});
});

describe('restartNeededFor', () => {
	test('moving the metrics folder needs a restart, naming both folders', () => {
		const dir = temporaryDirectory();
		const moved = buildConfig(
			{...base, orchestrator: {metricsExportDir: 'elsewhere'}},
			dir,
		);
		expect(restartNeededFor(buildConfig(base, dir), moved)).toBe(
			`it moves the metrics folder from ${path.join(dir, 'metrics')} to ${path.join(dir, 'elsewhere')}, which needs a restart`,
		);
		expect(
			restartNeededFor(buildConfig(base, dir), buildConfig(base, dir)),
		).toBeUndefined();
	});
});
