import {readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

/** One day of one symbol: [date, open, high, low, close, volume]. */
export type Bar = [
	date: string,
	open: number,
	high: number,
	low: number,
	close: number,
	volume: number,
];

export type Prices = {
	readonly symbols: Readonly<Record<string, readonly Bar[]>>;
};
export type Portfolio = {
	readonly cash: number;
	readonly positions: Readonly<Record<string, number>>;
};
export type Leader = {readonly weights: Readonly<Record<string, number>>};

/** Agents/data, found from here whether this runs from agents/ (tests) or bundled into dist/agents. */
export function dataFolder(): string {
	let folder = path.dirname(fileURLToPath(import.meta.url));
	for (let up = 0; up < 4; up++) {
		const candidate = path.join(folder, 'agents', 'data');
		try {
			readFileSync(path.join(candidate, 'prices.json'));
			return candidate;
		} catch {
			folder = path.dirname(folder);
		}
	}

	return path.join(process.cwd(), 'agents', 'data');
}

export function readData<T>(name: string, folder = dataFolder()): T {
	return JSON.parse(readFileSync(path.join(folder, name), 'utf8')) as T;
}

/**
The day the agents look at in this cycle: each cycle moves 23 days on through the three years of
data (wrapping), so the numbers change from one cycle to the next. `MOONDEV_CYCLE` decides; run by
hand, cycle 1.
*/
export function dayOfCycle(
	totalDays: number,
	cycle = Number(process.env['MOONDEV_CYCLE'] ?? '1'),
	window = 250,
): number {
	const span = totalDays - window;
	// Starting five steps in: the demo opens on calm days and meets its first halt a few minutes later.
	const step =
		(((Number.isFinite(cycle) ? Math.max(0, cycle) : 1) + 5) * 23) % span;
	return window + step;
}
