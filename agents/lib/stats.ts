/** Small statistics for the demo agents: plain functions over arrays of numbers. */

export function mean(values: readonly number[]): number {
	return values.length === 0
		? 0
		: values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample standard deviation. */
export function stdev(values: readonly number[]): number {
	if (values.length < 2) {
		return 0;
	}

	const average = mean(values);
	return Math.sqrt(
		values.reduce((sum, value) => sum + (value - average) ** 2, 0) /
			(values.length - 1),
	);
}

/** Simple daily returns: close[t] / close[t-1] - 1. */
export function returnsOf(closes: readonly number[]): number[] {
	return closes.slice(1).map((close, index) => close / closes[index]! - 1);
}

export function correlation(
	a: readonly number[],
	b: readonly number[],
): number {
	const n = Math.min(a.length, b.length);
	const meanA = mean(a.slice(0, n));
	const meanB = mean(b.slice(0, n));
	let covariance = 0;
	let varianceA = 0;
	let varianceB = 0;
	for (let index = 0; index < n; index++) {
		const da = a[index]! - meanA;
		const db = b[index]! - meanB;
		covariance += da * db;
		varianceA += da * da;
		varianceB += db * db;
	}

	return varianceA === 0 || varianceB === 0
		? 0
		: covariance / Math.sqrt(varianceA * varianceB);
}

/**
Historical value at risk and expected shortfall at `confidence` (0.95): the loss (a positive
fraction) not exceeded on 95 % of days, and the mean loss on the days beyond it.
*/
export function historicalVar(
	returns: readonly number[],
	confidence = 0.95,
): {valueAtRisk: number; expectedShortfall: number} {
	const sorted = returns.toSorted((a, b) => a - b);
	const tail = Math.max(1, Math.floor(sorted.length * (1 - confidence)));
	const worst = sorted.slice(0, tail);
	return {
		valueAtRisk: -(sorted[tail - 1] ?? 0),
		expectedShortfall: -mean(worst),
	};
}

/** The largest fall from a peak, as a positive fraction. */
export function maxDrawdown(values: readonly number[]): number {
	let peak = Number.NEGATIVE_INFINITY;
	let worst = 0;
	for (const value of values) {
		peak = Math.max(peak, value);
		worst = Math.max(worst, (peak - value) / peak);
	}

	return worst;
}

/** The mean of the last `length` values. */
export function sma(values: readonly number[], length: number): number {
	return mean(values.slice(-length));
}

/** Wilder's relative strength index over `length` periods, 0–100. */
export function rsi(closes: readonly number[], length = 14): number {
	const changes =
		returnsOf(closes).length > 0
			? closes.slice(1).map((close, index) => close - closes[index]!)
			: [];
	if (changes.length < length) {
		return 50;
	}

	let gain = mean(changes.slice(0, length).map(change => Math.max(0, change)));
	let loss = mean(changes.slice(0, length).map(change => Math.max(0, -change)));
	for (const change of changes.slice(length)) {
		gain = (gain * (length - 1) + Math.max(0, change)) / length;
		loss = (loss * (length - 1) + Math.max(0, -change)) / length;
	}

	return loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
}
