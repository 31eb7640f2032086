import {describe, expect, test} from 'vitest';
import type {EngineEvent} from '../../source/contract/events.js';
import {
	formatChange,
	formatMetric,
	metricRows,
} from '../../source/ui/metric-rows.js';
import {rangeSparkline} from '../../source/ui/format.js';
import {MetricsView} from '../../source/ui/metrics-view.js';
import {reduce} from '../../source/store/reduce.js';
import {createInitialState} from '../../source/store/state.js';
import {renderWithStore, uiConfig} from '../helpers/render.js';

const time = '2026-11-25T10:00:00.000Z';
const metric = (agent: string, name: string, value: number): EngineEvent => ({
	type: 'agent_metric',
	time,
	cycle: 1,
	agent,
	name,
	value,
});

describe('metric rows', () => {
	test('each agent’s latest metrics in agent order, by name, with the change since the value before', () => {
		const state = [
			metric('trading', 'pnl', -10),
			metric('risk', 'var_95', 0.031),
			metric('risk', 'drawdown', 0.12),
			metric('trading', 'pnl', -12.5),
			metric('risk', 'var_95', 0.033),
			metric('risk', 'drawdown', 0.12),
		].reduce(reduce, createInitialState(uiConfig()));
		expect(metricRows(state)).toEqual([
			{agent: 'risk', metric: 'drawdown', value: '0.12', change: '='},
			{agent: 'risk', metric: 'var_95', value: '0.033', change: '+0.002'},
			{agent: 'trading', metric: 'pnl', value: '-12.5', change: '−2.5'},
		]);
	});

	test('values and changes as people read them; a sparkline spans the values’ own range', () => {
		expect(formatMetric(1234.567)).toBe('1235');
		expect(formatMetric(0.000_123_456)).toBe('0.0001235');
		expect(formatMetric(3)).toBe('3');
		expect(formatChange(undefined, 3)).toBe('');
		expect(rangeSparkline([-5, 0, 5])).toBe('▁▅█');
		expect(rangeSparkline([2, 2])).toBe('▄▄');
	});
});

describe('the metrics view', () => {
	test('a table of the metrics and the selected agent’s sparklines', () => {
		const {lastFrame} = renderWithStore(
			<MetricsView agent="risk" height={20} width={100} />,
			{
				events: [
					metric('risk', 'var_95', 0.031),
					metric('risk', 'var_95', 0.035),
					metric('trading', 'pnl', 4),
				],
			},
		);
		const frame = lastFrame() ?? '';
		expect(frame).toMatch(/│ agent +│ metric +│ value +│ change +│/v);
		expect(frame).toMatch(/│ risk +│ var_95 +│ 0\.035 +│ \+0\.004 +│/v);
		expect(frame).toMatch(/│ trading +│ pnl +│ 4 +│ +│/v);
		expect(frame).toMatch(/risk var_95 ▁█/v);
	});

	test('with no metric yet, how an agent reports one', () => {
		const {lastFrame} = renderWithStore(
			<MetricsView agent="risk" height={20} width={120} />,
		);
		expect(lastFrame()).toContain('No agent has reported a metric yet');
	});

	test('rows that do not fit are counted', () => {
		const events = Array.from({length: 12}, (_, index) =>
			metric('risk', `m${String(index).padStart(2, '0')}`, index),
		);
		const {lastFrame} = renderWithStore(
			<MetricsView agent="trading" height={12} width={100} />,
			{events},
		);
		expect(lastFrame()).toMatch(/… 8 more/v);
	});
});
