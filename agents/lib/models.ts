/** The demo agents' calculations, pure, so tests check them on fixed numbers. */
import type {Bar, Portfolio} from './sample-data.js';
import {
	correlation,
	historicalVar,
	maxDrawdown,
	returnsOf,
	rsi,
	sma,
	stdev,
} from './stats.js';

export type RiskReport = {
	/** Annualised volatility of each asset's daily returns. */
	readonly volatility: Readonly<Record<string, number>>;
	/** Pairwise correlations of daily returns, "A/B". */
	readonly correlations: Readonly<Record<string, number>>;
	/** One-day historical 95 % VaR and CVaR of the portfolio, as fractions of its value. */
	readonly var95: number;
	readonly cvar95: number;
	/** Market value of the positions over total equity (positions + cash). */
	readonly grossExposure: number;
	/** Largest fall of the portfolio's value over the window. */
	readonly drawdown: number;
	readonly equity: number;
};

/** The closes of every symbol over the `window` days ending at `day` (inclusive). */
export function closesUntil(
	symbols: Readonly<Record<string, readonly Bar[]>>,
	day: number,
	window: number,
): Record<string, number[]> {
	return Object.fromEntries(
		Object.entries(symbols).map(([symbol, bars]) => [
			symbol,
			bars.slice(Math.max(0, day - window + 1), day + 1).map(bar => bar[4]),
		]),
	);
}

/** Volatility, correlations, historical VaR/CVaR, exposure and drawdown of a portfolio. */
export function assessRisk(
	closes: Readonly<Record<string, readonly number[]>>,
	portfolio: Portfolio,
): RiskReport {
	const symbols = Object.keys(portfolio.positions).filter(
		symbol => closes[symbol],
	);
	const returns = Object.fromEntries(
		symbols.map(symbol => [symbol, returnsOf(closes[symbol]!)]),
	);
	const volatility = Object.fromEntries(
		symbols.map(symbol => [symbol, stdev(returns[symbol]!) * Math.sqrt(365)]),
	);
	const correlations: Record<string, number> = {};
	for (const [index, a] of symbols.entries()) {
		for (const b of symbols.slice(index + 1)) {
			correlations[`${a}/${b}`] = correlation(returns[a]!, returns[b]!);
		}
	}

	const days = Math.min(...symbols.map(symbol => closes[symbol]!.length));
	const values = Array.from({length: days}, (_, day) =>
		symbols.reduce(
			(sum, symbol) =>
				sum + portfolio.positions[symbol]! * closes[symbol]!.at(day - days)!,
			portfolio.cash,
		),
	);
	const {valueAtRisk, expectedShortfall} = historicalVar(
		returnsOf(values),
		0.95,
	);
	const equity = values.at(-1) ?? portfolio.cash;
	const gross = symbols.reduce(
		(sum, symbol) =>
			sum + Math.abs(portfolio.positions[symbol]! * closes[symbol]!.at(-1)!),
		0,
	);
	return {
		volatility,
		correlations,
		var95: valueAtRisk,
		cvar95: expectedShortfall,
		grossExposure: gross / equity,
		drawdown: maxDrawdown(values),
		equity,
	};
}

export type Signal = {
	readonly symbol: string;
	readonly crossover: 'buy' | 'sell' | 'hold';
	readonly rsi: number;
	readonly action: 'buy' | 'sell' | 'hold';
};

/**
SMA crossover (fast over slow: buy, under: sell, on the day it crosses) and RSI(14) (under 30
oversold: buy, over 70 overbought: sell); the action is the crossover's, else the RSI's.
*/
export function signalsFor(
	closes: Readonly<Record<string, readonly number[]>>,
	fast = 10,
	slow = 30,
): Signal[] {
	return Object.entries(closes).map(([symbol, series]) => {
		const now = sma(series, fast) - sma(series, slow);
		const before =
			sma(series.slice(0, -1), fast) - sma(series.slice(0, -1), slow);
		const crossover =
			now > 0 && before <= 0 ? 'buy' : now < 0 && before >= 0 ? 'sell' : 'hold';
		const strength = rsi(series, 14);
		const fromRsi = strength < 30 ? 'buy' : strength > 70 ? 'sell' : 'hold';
		return {
			symbol,
			crossover,
			rsi: strength,
			action: crossover === 'hold' ? fromRsi : crossover,
		};
	});
}

const positiveWords = new Set([
	'rallies',
	'surges',
	'record',
	'beats',
	'gains',
	'strong',
	'climbs',
	'inflows',
	'rebounds',
	'sharply',
	'grow',
]);
const negativeWords = new Set([
	'slumps',
	'plunges',
	'hack',
	'misses',
	'falls',
	'weak',
	'drops',
	'outflows',
	'crashes',
	'fears',
]);

/** A lexicon score per headline, +1 per positive word and −1 per negative one, and their mean. */
export function scoreHeadlines(headlines: readonly string[]): {
	scores: number[];
	score: number;
} {
	const scores = headlines.map(headline => {
		let score = 0;
		for (const word of headline.toLowerCase().split(/[^a-z&]+/v)) {
			score += positiveWords.has(word) ? 1 : negativeWords.has(word) ? -1 : 0;
		}

		return score;
	});
	return {
		scores,
		score:
			scores.length === 0
				? 0
				: scores.reduce((sum, value) => sum + value, 0) / scores.length,
	};
}

export type Order = {
	readonly symbol: string;
	readonly side: 'buy' | 'sell';
	readonly quantity: number;
	readonly price: number;
};

/** Orders that move a portfolio toward the leader's weights, where they differ by more than `band`. */
export function rebalanceOrders(
	portfolio: Portfolio,
	prices: Readonly<Record<string, number>>,
	target: Readonly<Record<string, number>>,
	band = 0.02,
): {orders: Order[]; trackingError: number} {
	const equity = Object.entries(portfolio.positions).reduce(
		(sum, [symbol, quantity]) => sum + quantity * (prices[symbol] ?? 0),
		portfolio.cash,
	);
	const orders: Order[] = [];
	let squared = 0;
	for (const [symbol, weight] of Object.entries(target)) {
		const price = prices[symbol];
		if (!price) {
			continue;
		}

		const current = ((portfolio.positions[symbol] ?? 0) * price) / equity;
		squared += (current - weight) ** 2;
		if (Math.abs(current - weight) > band) {
			const quantity = Math.abs(((weight - current) * equity) / price);
			orders.push({
				symbol,
				side: weight > current ? 'buy' : 'sell',
				quantity: Number(quantity.toFixed(6)),
				price,
			});
		}
	}

	return {orders, trackingError: Math.sqrt(squared)};
}
