/*
Strategy: SMA(10/30) crossover and RSI(14) signals per symbol on this cycle's slice of the sample
prices; publishes how many say buy and sell, and each symbol's RSI.
*/
import {metric} from './lib/moondev.js';
import {closesUntil, type Signal, signalsFor} from './lib/models.js';
import {readOptions, runSteps} from './lib/run-steps.js';
import {type Prices, dayOfCycle, readData} from './lib/sample-data.js';

const options = readOptions();
let prices: Prices;
let signals: Signal[] = [];

await runSteps(options, [
	[
		'loading prices',
		() => {
			prices = readData<Prices>('prices.json');
		},
	],
	[
		'moving averages and RSI',
		() => {
			const day = dayOfCycle(Object.values(prices.symbols)[0]?.length ?? 0);
			signals = signalsFor(closesUntil(prices.symbols, day, 120));
		},
	],
	[
		'signals',
		() => {
			for (const signal of signals) {
				console.log(
					`${signal.symbol.padEnd(5)} ${signal.action.padEnd(4)} (crossover ${signal.crossover}, RSI ${signal.rsi.toFixed(1)})`,
				);
			}
		},
	],
]);

metric('buy_signals', signals.filter(signal => signal.action === 'buy').length);
metric(
	'sell_signals',
	signals.filter(signal => signal.action === 'sell').length,
);
for (const signal of signals) {
	metric(`rsi_${signal.symbol.toLowerCase()}`, Number(signal.rsi.toFixed(2)));
}
