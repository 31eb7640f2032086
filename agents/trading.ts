/*
Trading: turns this cycle's prices and a simple rule (fast SMA over slow: buy one unit, under:
sell one) into paper orders appended to the paper ledger, and publishes the order count and the
ledger's paper P&L at today's prices. The ledger is $MOONDEV_HOME/data/paper-ledger.jsonl (the
folder moondev-tui writes to; the current folder when run by hand), or --ledger.
*/
import {appendFileSync, existsSync, mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {metric} from './lib/moondev.js';
import {closesUntil, type Order} from './lib/models.js';
import {readOptions, runSteps} from './lib/run-steps.js';
import {type Prices, dayOfCycle, readData} from './lib/sample-data.js';
import {sma} from './lib/stats.js';

const options = readOptions(['ledger']);
const ledger =
	typeof options.values['ledger'] === 'string'
		? path.resolve(options.values['ledger'])
		: path.join(
				process.env['MOONDEV_HOME'] ?? process.cwd(),
				'data',
				'paper-ledger.jsonl',
			);
let today: Record<string, number> = {};
let orders: Order[] = [];
let date = '';

await runSteps(options, [
	[
		'loading prices',
		() => {
			const prices = readData<Prices>('prices.json');
			const day = dayOfCycle(Object.values(prices.symbols)[0]?.length ?? 0);
			const closes = closesUntil(prices.symbols, day, 60);
			date = Object.values(prices.symbols)[0]?.[day]?.[0] ?? '';
			today = Object.fromEntries(
				Object.entries(closes).map(([symbol, series]) => [
					symbol,
					series.at(-1)!,
				]),
			);
			orders = Object.entries(closes).map(([symbol, series]) => ({
				symbol,
				side: sma(series, 5) > sma(series, 20) ? 'buy' : 'sell',
				quantity: 1,
				price: series.at(-1)!,
			}));
		},
	],
	[
		'placing paper orders',
		() => {
			mkdirSync(path.dirname(ledger), {recursive: true});
			appendFileSync(
				ledger,
				orders.map(order => `${JSON.stringify({date, ...order})}\n`).join(''),
			);
			for (const order of orders) {
				console.log(
					`paper ${order.side} ${order.quantity} ${order.symbol} @ ${order.price}`,
				);
			}
		},
	],
	['marking to market', () => undefined],
]);

// P&L of the whole ledger: what its positions are worth today against what they cost.
let pnl = 0;
for (const line of existsSync(ledger)
	? readFileSync(ledger, 'utf8').split('\n')
	: []) {
	if (!line) {
		continue;
	}

	const order = JSON.parse(line) as Order;
	const sign = order.side === 'buy' ? 1 : -1;
	pnl +=
		sign *
		order.quantity *
		((today[order.symbol] ?? order.price) - order.price);
}

console.log(`ledger ${ledger}: paper P&L ${pnl.toFixed(2)}`);
metric('orders', orders.length);
metric('paper_pnl', Number(pnl.toFixed(2)));
