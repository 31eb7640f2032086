#!/usr/bin/env node
// A stand-in agent for the demo: it works through a few steps, reporting progress over the
// ::moondev:: protocol, and fails now and then so that retries show. The real trading agents
// replace it. Usage: demo-agent.mjs <label> [steps=5] [stepMs=500] [failRate=0]
import process from 'node:process';
import {setTimeout as sleep} from 'node:timers/promises';

const [
	label = 'demo',
	stepsText = '5',
	stepMsText = '500',
	failRateText = '0',
] = process.argv.slice(2);
const steps = Number(stepsText);
const stepMs = Number(stepMsText);
const failRate = Number(failRateText);
const report = message => console.log(`::moondev::${JSON.stringify(message)}`);

const cycle = process.env.MOONDEV_CYCLE ?? '0';
console.log(
	`${label}: cycle ${cycle}, attempt ${process.env.MOONDEV_ATTEMPT ?? '1'}`,
);
for (let step = 1; step <= steps; step++) {
	await sleep(stepMs * (0.7 + Math.random() * 0.6));
	report({
		type: 'progress',
		percent: Math.round((step / steps) * 100),
		message: `${label} step ${step}/${steps}`,
	});
	console.log(`${label}: finished step ${step}`);
}

report({type: 'metric', name: 'steps', value: steps});
if (Math.random() < failRate) {
	console.error(`${label}: simulated failure`);
	process.exit(1);
}
