/*
Sentiment: scores this cycle's 25 headlines with a word lexicon (+1 per positive word, −1 per
negative one) and publishes the mean score.
*/
import process from 'node:process';
import {alert, metric} from './lib/moondev.js';
import {scoreHeadlines} from './lib/models.js';
import {readOptions, runSteps} from './lib/run-steps.js';
import {readData} from './lib/sample-data.js';

const options = readOptions();
const batch = 25;
let headlines: string[] = [];
let result = {scores: [] as number[], score: 0};

await runSteps(options, [
	[
		'loading headlines',
		() => {
			const all = readData<string[]>('headlines.json');
			const cycle = Number(process.env['MOONDEV_CYCLE'] ?? '1');
			const start =
				((Number.isFinite(cycle) ? cycle : 1) * batch) % (all.length - batch);
			headlines = all.slice(start, start + batch);
		},
	],
	[
		'scoring',
		() => {
			result = scoreHeadlines(headlines);
		},
	],
	[
		'summary',
		() => {
			for (const [index, headline] of headlines.entries()) {
				console.log(`${String(result.scores[index]).padStart(2)}  ${headline}`);
			}
		},
	],
]);

metric('score', Number(result.score.toFixed(4)));
metric('headlines', headlines.length);
if (result.score < -0.5) {
	alert(
		`news sentiment is very negative (${result.score.toFixed(2)})`,
		'warning',
	);
}
