// Makes the demo agents' sample data from a fixed seed: the same bytes on every machine, nothing
// downloaded. `node scripts/make-sample-data.mjs` rewrites agents/data/; a test checks it is fresh.
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

// `node scripts/make-sample-data.mjs [folder]`: agents/data unless told otherwise (the test).
const folder =
	process.argv[2] ??
	path.join(
		path.dirname(fileURLToPath(import.meta.url)),
		'..',
		'agents',
		'data',
	);

/* eslint-disable no-bitwise -- mulberry32 is bit operations */
/** Mulberry32: a small, well-known seeded generator. */
function createRandom(seed) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}
/* eslint-enable no-bitwise */

const random = createRandom(20_261_124);
/** A standard normal draw (Box–Muller). */
const normal = () =>
	Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const round = (value, digits) => Number(value.toFixed(digits));

const symbols = [
	{symbol: 'BTC', price: 42_000, drift: 0.0008, vol: 0.035},
	{symbol: 'ETH', price: 2300, drift: 0.0007, vol: 0.042},
	{symbol: 'SOL', price: 95, drift: 0.001, vol: 0.06},
	{symbol: 'AAPL', price: 185, drift: 0.0004, vol: 0.016},
	{symbol: 'SPY', price: 470, drift: 0.0003, vol: 0.01},
];
const days = 3 * 365;
const start = Date.UTC(2023, 0, 2);

// A common market factor makes the assets correlate; now and then a shock day hits them all.
const market = Array.from(
	{length: days},
	() => normal() + (random() < 0.02 ? -4 - 3 * random() : 0),
);
const prices = {};
for (const {symbol, price, drift, vol} of symbols) {
	let close = price;
	prices[symbol] = market.map((factor, day) => {
		const open = close;
		const move = drift + vol * (0.6 * factor + 0.8 * normal());
		close = Math.max(0.01, open * Math.exp(move));
		const high = Math.max(open, close) * (1 + Math.abs(normal()) * vol * 0.3);
		const low = Math.min(open, close) * (1 - Math.abs(normal()) * vol * 0.3);
		const volume = Math.round(((1 + random()) * 1_000_000) / Math.sqrt(price));
		const digits = price > 1000 ? 0 : 2;
		return [
			new Date(start + day * 86_400_000).toISOString().slice(0, 10),
			round(open, digits),
			round(high, digits),
			round(low, digits),
			round(close, digits),
			volume,
		];
	});
}

const portfolio = {
	cash: 25_000,
	positions: {BTC: 0.6, ETH: 8, SOL: 150, AAPL: 60, SPY: 40},
};
const leader = {
	weights: {BTC: 0.35, ETH: 0.2, SOL: 0.15, AAPL: 0.1, SPY: 0.2},
};

const subjects = [
	'Bitcoin',
	'Ether',
	'Solana',
	'Apple',
	'The S&P 500',
	'Crypto markets',
	'Tech stocks',
	'Index funds',
];
const good = [
	'rallies',
	'surges to record',
	'beats expectations',
	'gains on strong demand',
	'climbs as inflows grow',
	'rebounds sharply',
];
const bad = [
	'slumps',
	'plunges after hack',
	'misses estimates',
	'falls on weak demand',
	'drops as outflows grow',
	'crashes amid fears',
];
const flat = [
	'trades sideways',
	'holds steady',
	'awaits the Fed',
	'moves little',
];
const headlines = Array.from({length: 400}, () => {
	const subject = subjects[Math.floor(random() * subjects.length)];
	const pick = random();
	const list = pick < 0.4 ? good : pick < 0.8 ? bad : flat;
	return `${subject} ${list[Math.floor(random() * list.length)]}`;
});

mkdirSync(folder, {recursive: true});
const write = (name, data) => {
	writeFileSync(path.join(folder, name), `${JSON.stringify(data)}\n`);
};

write('prices.json', {
	columns: ['date', 'open', 'high', 'low', 'close', 'volume'],
	symbols: prices,
});
write('portfolio.json', portfolio);
write('leader.json', leader);
write('headlines.json', headlines);
