#!/usr/bin/env node
/*
What a dead notify target costs a cycle (issue 13): one `--headless --once` cycle of 1 critical +
4 agents, each warning once, with no target, and with a json target (every alert and the
cycle_end) on a local server that accepts the connection and never answers. Reports the cycle's
own duration (its cycle_end) and the whole process's, whose end waits min(3 s, killGraceSeconds)
for the queue at most. Usage: node bench/notify-bench.mjs (after npm run build). Writes
bench/results/notify.json.
*/
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const runs = Number(process.env.BENCH_RUNS ?? 9);
const temporary = mkdtempSync(path.join(os.tmpdir(), 'moondev-notify-bench-'));
const env = {
	...process.env,
	HOME: temporary,
	XDG_CONFIG_HOME: path.join(temporary, 'xdg'),
	XDG_RUNTIME_DIR: path.join(temporary, 'run'),
};
delete env.NODE_EXTRA_CA_CERTS;

// A server that takes every request and never answers it.
const server = http.createServer(() => {
	// Never answered.
});
await new Promise(resolve => {
	server.listen(0, '127.0.0.1', resolve);
});
const {port} = server.address();
const agent = path.join(temporary, 'warn.mjs');
writeFileSync(
	agent,
	"console.log('::moondev::' + JSON.stringify({type: 'alert', level: 'warning', message: 'spread wide ' + process.env.MOONDEV_AGENT}));\n",
);

function config(name, notify) {
	const file = path.join(temporary, `${name}.json`);
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				metricsExportDir: path.join(temporary, `${name}-metrics`),
				killGraceSeconds: 5,
			},
			agents: Object.fromEntries(
				['risk', 'a', 'b', 'c', 'd'].map(agentName => [
					agentName,
					{
						command: ['node', agent],
						enabled: true,
						critical: agentName === 'risk',
					},
				]),
			),
			notify,
		}),
	);
	return file;
}

const median = values =>
	values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

function measure(file) {
	const cycles = [];
	const wholes = [];
	for (let run = 0; run < runs; run++) {
		const began = performance.now();
		let output;
		try {
			output = execFileSync(
				process.execPath,
				[cli, '--headless', '--once', '--json', '--config', file],
				{env, encoding: 'utf8'},
			);
		} catch (error) {
			output = error.stdout;
		}

		wholes.push(performance.now() - began);
		const end = output
			.split('\n')
			.filter(Boolean)
			.map(line => JSON.parse(line))
			.find(event => event.type === 'cycle_end');
		cycles.push(end.duration_s * 1000);
	}

	return {cycleMs: median(cycles), wholeMs: median(wholes)};
}

try {
	const none = measure(config('none', []));
	const dead = measure(
		config('dead', [
			{
				url: `http://127.0.0.1:${port}/never`,
				format: 'json',
				minLevel: 'info',
				events: ['alert', 'cycle_end', 'engine_start', 'engine_stop'],
			},
		]),
	);
	const results = {runs, none, deadTarget: dead};
	console.log(
		`moondev-tui notify cost (node ${process.version}, medians of ${runs})`,
	);
	console.log(
		`  1 + 4 agents, no target            cycle ${none.cycleMs.toFixed(0)} ms, whole run ${none.wholeMs.toFixed(0)} ms`,
	);
	console.log(
		`  the same, a target that never answers  cycle ${dead.cycleMs.toFixed(0)} ms (${(dead.cycleMs - none.cycleMs).toFixed(0)} ms), whole run ${dead.wholeMs.toFixed(0)} ms (the stop gives the queue min(3 s, grace))`,
	);
	mkdirSync(path.join(root, 'bench', 'results'), {recursive: true});
	writeFileSync(
		path.join(root, 'bench', 'results', 'notify.json'),
		`${JSON.stringify(results, undefined, 2)}\n`,
	);
} finally {
	server.closeAllConnections();
	server.close();
	rmSync(temporary, {recursive: true, force: true});
}
