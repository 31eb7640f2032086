import {expect, test} from 'vitest';
import {
	assessRisk,
	rebalanceOrders,
	scoreHeadlines,
	signalsFor,
} from '../../agents/lib/models.js';
import {
	historicalVar,
	maxDrawdown,
	rsi,
	sma,
	stdev,
} from '../../agents/lib/stats.js';

test('statistics on numbers worked by hand', () => {
	expect(stdev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138_09, 5);
	expect(sma([1, 2, 3, 4, 5], 2)).toBe(4.5);
	expect(maxDrawdown([100, 120, 90, 130, 65])).toBeCloseTo(0.5, 10);
	// 20 returns: the worst one (5 % of 20) is the VaR; CVaR is the mean of that tail.
	const returns = [
		-0.1,
		...Array.from({length: 19}, (_, index) => index / 100),
	];
	expect(historicalVar(returns, 0.95)).toEqual({
		valueAtRisk: 0.1,
		expectedShortfall: 0.1,
	});
	expect(rsi(Array.from({length: 20}, (_, index) => index))).toBe(100);
	expect(rsi(Array.from({length: 20}, (_, index) => 20 - index))).toBe(0);
});

test('risk of a one-asset portfolio: VaR, CVaR, exposure and drawdown', () => {
	// Price goes 100 → 110 → 99 → 108.9 → 98.01: returns +10 %, −10 %, +10 %, −10 %.
	const closes = {X: [100, 110, 99, 108.9, 98.01]};
	const report = assessRisk(closes, {cash: 0, positions: {X: 1}});
	expect(report.var95).toBeCloseTo(0.1, 10);
	expect(report.cvar95).toBeCloseTo(0.1, 10);
	expect(report.grossExposure).toBeCloseTo(1, 10);
	expect(report.drawdown).toBeCloseTo(1 - 98.01 / 110, 10);
	expect(report.volatility.X).toBeCloseTo(
		stdev([0.1, -0.1, 0.1, -0.1]) * Math.sqrt(365),
		10,
	);
	// Half in cash halves the swings.
	expect(
		assessRisk(closes, {cash: 98.01, positions: {X: 1}}).grossExposure,
	).toBeCloseTo(0.5, 10);
});

test('signals: a crossover today is the action, else RSI decides', () => {
	const rising = Array.from({length: 40}, (_, index) => 100 + index);
	const dipThenRise = [
		...Array.from({length: 39}, (_, index) => 200 - index),
		400,
	];
	const [up] = signalsFor({UP: rising});
	expect(up).toMatchObject({symbol: 'UP', crossover: 'hold', action: 'sell'});
	expect(up?.rsi).toBe(100);
	const [cross] = signalsFor({X: dipThenRise}, 2, 5);
	expect(cross).toMatchObject({crossover: 'buy', action: 'buy'});
});

test('headline scores with the lexicon', () => {
	const {scores, score} = scoreHeadlines([
		'Bitcoin rallies to record',
		'Solana plunges after hack',
		'Apple holds steady',
	]);
	expect(scores).toEqual([2, -2, 0]);
	expect(score).toBe(0);
});

test('rebalancing toward the leader past a 2-point band', () => {
	const {orders, trackingError} = rebalanceOrders(
		{cash: 0, positions: {A: 10, B: 10}},
		{A: 10, B: 10},
		{A: 0.7, B: 0.3},
	);
	expect(orders).toEqual([
		{symbol: 'A', side: 'buy', quantity: 4, price: 10},
		{symbol: 'B', side: 'sell', quantity: 4, price: 10},
	]);
	expect(trackingError).toBeCloseTo(Math.sqrt(0.08), 10);
	expect(
		rebalanceOrders(
			{cash: 0, positions: {A: 10, B: 10}},
			{A: 10, B: 10},
			{A: 0.51, B: 0.49},
		).orders,
	).toEqual([]);
});
