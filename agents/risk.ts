/*
Risk (critical): volatility, correlations, the portfolio's one-day historical 95 % VaR and CVaR,
gross exposure and drawdown over the last 60 days of this cycle's slice of the sample data;
publishes them as metrics, then gives exactly one verdict: halt when a limit is breached, pass
otherwise.
Limits: --max-var (default 0.08, or RISK_MAX_VAR), --max-drawdown (0.5, or RISK_MAX_DRAWDOWN),
--max-exposure (1.5, or RISK_MAX_EXPOSURE).
*/
import process from 'node:process';
import {alert, halt, metric, pass} from './lib/moondev.js';
import {assessRisk, closesUntil, type RiskReport} from './lib/models.js';
import {readOptions, runSteps} from './lib/run-steps.js';
import {
	type Portfolio,
	type Prices,
	dayOfCycle,
	readData,
} from './lib/sample-data.js';

const options = readOptions(['max-var', 'max-drawdown', 'max-exposure']);
const limit = (flag: string, variable: string, fallback: number) => {
	const value = Number(options.values[flag] ?? process.env[variable]);
	return Number.isFinite(value) && value > 0 ? value : fallback;
};

const limits = {
	var95: limit('max-var', 'RISK_MAX_VAR', 0.08),
	drawdown: limit('max-drawdown', 'RISK_MAX_DRAWDOWN', 0.5),
	grossExposure: limit('max-exposure', 'RISK_MAX_EXPOSURE', 1.5),
};

let prices: Prices;
let portfolio: Portfolio;
let day = 0;
let report: RiskReport | undefined;
const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

await runSteps(options, [
	[
		'loading prices and positions',
		() => {
			prices = readData<Prices>('prices.json');
			portfolio = readData<Portfolio>('portfolio.json');
			day = dayOfCycle(Object.values(prices.symbols)[0]?.length ?? 0);
		},
	],
	[
		'computing volatility and correlations',
		() => {
			report = assessRisk(closesUntil(prices.symbols, day, 60), portfolio);
			const date = Object.values(prices.symbols)[0]?.[day]?.[0] ?? '?';
			console.log(`as of ${date}: equity ${report.equity.toFixed(0)}`);
			for (const [symbol, volatility] of Object.entries(report.volatility)) {
				console.log(
					`  ${symbol.padEnd(5)} volatility ${percent(volatility)} a year`,
				);
			}
		},
	],
	[
		'historical VaR and CVaR',
		() => {
			console.log(
				`VaR 95% ${percent(report!.var95)}  CVaR 95% ${percent(report!.cvar95)}  drawdown ${percent(report!.drawdown)}`,
			);
		},
	],
	['checking limits', () => undefined],
]);

const {var95, cvar95, grossExposure, drawdown, correlations} = report!;
metric('var_95', Number(var95.toFixed(6)));
metric('cvar_95', Number(cvar95.toFixed(6)));
metric('gross_exposure', Number(grossExposure.toFixed(4)));
metric('drawdown', Number(drawdown.toFixed(6)));
const highest = Math.max(...Object.values(correlations));
metric('max_correlation', Number(highest.toFixed(4)));

const breaches = [
	var95 > limits.var95
		? `VaR 95% ${percent(var95)} over the ${percent(limits.var95)} limit`
		: '',
	drawdown > limits.drawdown
		? `drawdown ${percent(drawdown)} over the ${percent(limits.drawdown)} limit`
		: '',
	grossExposure > limits.grossExposure
		? `gross exposure ${grossExposure.toFixed(2)} over ${limits.grossExposure}`
		: '',
].filter(Boolean);
if (breaches.length > 0) {
	halt(breaches.join('; '));
} else {
	if (var95 > limits.var95 * 0.8) {
		alert(
			`VaR 95% ${percent(var95)} is near its ${percent(limits.var95)} limit`,
			'warning',
		);
	}

	pass(
		`VaR 95% ${percent(var95)} within the ${percent(limits.var95)} limit; drawdown ${percent(drawdown)} within ${percent(limits.drawdown)}; gross exposure ${grossExposure.toFixed(2)} within ${limits.grossExposure}`,
	);
}
