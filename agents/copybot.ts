/*
Copybot: compares the portfolio's weights with the leader's at this cycle's prices and proposes
the rebalancing orders (where a weight is more than 2 points off); publishes their count and the
tracking error.
*/
import {metric} from './lib/moondev.js';
import {closesUntil, type Order, rebalanceOrders} from './lib/models.js';
import {readOptions, runSteps} from './lib/run-steps.js';
import {
	type Leader,
	type Portfolio,
	type Prices,
	dayOfCycle,
	readData,
} from './lib/sample-data.js';

const options = readOptions();
let orders: Order[] = [];
let trackingError = 0;

await runSteps(options, [
	['loading portfolios', () => undefined],
	[
		'comparing with the leader',
		() => {
			const prices = readData<Prices>('prices.json');
			const day = dayOfCycle(Object.values(prices.symbols)[0]?.length ?? 0);
			const today = Object.fromEntries(
				Object.entries(closesUntil(prices.symbols, day, 1)).map(
					([symbol, series]) => [symbol, series.at(-1)!],
				),
			);
			({orders, trackingError} = rebalanceOrders(
				readData<Portfolio>('portfolio.json'),
				today,
				readData<Leader>('leader.json').weights,
			));
		},
	],
	[
		'proposing orders',
		() => {
			for (const order of orders) {
				console.log(
					`propose ${order.side} ${order.quantity} ${order.symbol} @ ${order.price}`,
				);
			}
		},
	],
]);

metric('proposed_orders', orders.length);
metric('tracking_error', Number(trackingError.toFixed(4)));
