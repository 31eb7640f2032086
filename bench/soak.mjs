#!/usr/bin/env node
/*
Memory soak: the built CLI (`--headless --json --sleep 0`) runs cycle after cycle of a few quick
shell agents on a temporary project, with its own HOME and XDG_CONFIG_HOME, until N cycles have
ended; then it is stopped with SIGTERM, which must give exit 143 (and, when the build has it, an
`engine_stop` event as the last JSON line).

The agents: a critical one (progress, a log line, a metric), then in parallel on 3 workers one
that prints log lines on stdout and stderr, one that fails 3 cycles out of 25 (alerts, health
changes), and one that depends on the first and fails its first attempt every 10th cycle (a retry
after a 10 ms backoff). metricsRetention is 50, so the metrics folder does not grow.

Inside the engine, bench/soak-probe.mjs (preloaded with --expose-gc) runs a full GC every
second and records the live heap, RSS and open fds; the cycles come from the `cycle_end` lines on
stdout, read as a stream. Each sample is placed at the number of cycles ended by its time.

Verdict: exit 1 when, over the second half of the run, the live heap after GC grows by more than
64 KB per 1000 cycles (least squares), or the open fds by more than 1 per 1000 cycles. 64 bytes a
cycle is less than one retained object of the kinds a cycle makes (an AbortSignal with its
listeners is several hundred bytes; each `AbortSignal.any` call kept ~1 KB on Node 20), and
under 2.3 MB for a year of 15-minute cycles; the slope's own noise (the heap after GC wobbles by a
few hundred KB with what is in flight when the sample is taken) is a few KB per 1000 cycles over
10,000 cycles. RSS is reported, not judged: the allocator keeps freed pages as it sees fit.

Usage: node bench/soak.mjs [--cycles 20000] [--warmup 200] [--cli dist/cli.js] [--keep]
       [--snapshots 5,300]   (or `npm run soak`, which builds first)
--keep leaves the temporary project (with the samples file) in place; --snapshots writes heap
snapshots at those samples (by index) into it. Writes bench/results/soak.json.
*/
import {spawn} from 'node:child_process';
import {
	chmodSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import readline from 'node:readline';
import {parseArgs} from 'node:util';
import {fileURLToPath, pathToFileURL} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const {values: options} = parseArgs({
	options: {
		cycles: {type: 'string', default: '20000'},
		warmup: {type: 'string'},
		cli: {type: 'string', default: path.join(root, 'dist', 'cli.js')},
		keep: {type: 'boolean', default: false},
		snapshots: {type: 'string', default: ''},
		interval: {type: 'string', default: '1000'},
	},
});

const cycles = Number(options.cycles);
if (!Number.isInteger(cycles) || cycles < 1) {
	throw new Error(
		`--cycles: expected a whole number >= 1, got ${options.cycles}`,
	);
}

const warmup = Number(options.warmup ?? Math.min(200, Math.floor(cycles / 10)));
const cliPath = path.resolve(options.cli);
const probeUrl = pathToFileURL(path.join(root, 'bench', 'soak-probe.mjs')).href;
/** Bytes of live heap per 1000 cycles over the second half past which the soak fails. */
const maxHeapSlope = 64 * 1024;
/** Open fds per 1000 cycles over the second half past which the soak fails. */
const maxFdSlope = 1;
/** No `cycle_end` for this long means the engine is stuck. */
const stallMs = 60_000;
/** From SIGTERM to exit: the kill grace (1 s) plus the cycle's end, with a wide margin. */
const stopTimeoutMs = 30_000;

// ---------------------------------------------------------------------------------------------
// The project

const project = mkdtempSync(path.join(os.tmpdir(), 'moondev-soak-'));
const samplesFile = path.join(project, 'samples.jsonl');

const agents = {
	'risk.sh': String.raw`
echo '::moondev::{"type":"progress","percent":50,"message":"checking limits"}'
echo "risk check for cycle $MOONDEV_CYCLE: exposure within limits"
echo "::moondev::{\"type\":\"metric\",\"name\":\"var_95\",\"value\":0.0$((MOONDEV_CYCLE % 97))}"
echo '::moondev::{"type":"pass","message":"within limits"}'
`,
	'strategy.sh': String.raw`
echo '::moondev::{"type":"progress","percent":10,"message":"loading signals"}'
for symbol in BTC ETH SOL; do
	echo "$symbol: signal for cycle $MOONDEV_CYCLE is neutral"
done
echo "stale quote for DOGE, skipped" >&2
`,
	'sentiment.sh': String.raw`
if [ $((MOONDEV_CYCLE % 25)) -lt 3 ]; then
	echo "news feed unavailable for cycle $MOONDEV_CYCLE" >&2
	exit 1
fi
echo "sentiment: 0.$((MOONDEV_CYCLE % 10))"
`,
	'trading.sh': String.raw`
if [ "$MOONDEV_ATTEMPT" = 1 ] && [ $((MOONDEV_CYCLE % 10)) -eq 0 ]; then
	echo "order book busy, try again" >&2
	exit 2
fi
echo "paper order for cycle $MOONDEV_CYCLE (attempt $MOONDEV_ATTEMPT)"
`,
};

mkdirSync(path.join(project, 'agents'));
for (const [name, text] of Object.entries(agents)) {
	const file = path.join(project, 'agents', name);
	writeFileSync(file, text.trimStart());
	chmodSync(file, 0o755);
}

const config = {
	orchestrator: {
		maxWorkers: 3,
		timeoutPerAgent: 30,
		killGraceSeconds: 1,
		sleepBetweenRunsMinutes: 0,
		maxRetries: 0,
		backoffBaseSeconds: 0.005,
		metricsRetention: 50,
		metricsExportDir: 'data/orchestrator',
	},
	agents: {
		risk: {
			command: ['sh', 'agents/risk.sh'],
			enabled: true,
			critical: true,
			requireVerdict: true,
		},
		strategy: {command: ['sh', 'agents/strategy.sh'], enabled: true},
		sentiment: {command: ['sh', 'agents/sentiment.sh'], enabled: true},
		trading: {
			command: ['sh', 'agents/trading.sh'],
			enabled: true,
			dependsOn: ['strategy'],
			retries: 1,
		},
	},
};
mkdirSync(path.join(project, '.config'));
const configFile = path.join(project, '.config', 'moondev.json');
writeFileSync(configFile, JSON.stringify(config, undefined, '\t'));
for (const folder of ['home', 'xdg-config']) {
	mkdirSync(path.join(project, folder));
}

// ---------------------------------------------------------------------------------------------
// The run

const env = {
	...process.env,
	HOME: path.join(project, 'home'),
	XDG_CONFIG_HOME: path.join(project, 'xdg-config'),
	SOAK_PROBE_FILE: samplesFile,
	SOAK_PROBE_INTERVAL_MS: options.interval,
	SOAK_PROBE_SNAPSHOTS: options.snapshots,
};
// It makes every Node start slower on our machines; nothing here needs it.
delete env.NODE_EXTRA_CA_CERTS;

console.log(
	`soak: ${cycles} cycles of ${cliPath} in ${project} (Node ${process.version})`,
);
const started = Date.now();
const child = spawn(
	process.execPath,
	[
		'--expose-gc',
		'--import',
		probeUrl,
		cliPath,
		'--headless',
		'--json',
		'--config',
		configFile,
		'--sleep',
		'0',
	],
	{cwd: project, env, stdio: ['ignore', 'pipe', 'pipe']},
);

/** Epoch ms at which each cycle_end was read, in order. */
const cycleEndTimes = [];
const statuses = {};
let halts = 0;
let alerts = 0;
let lastLine;
let engineStopLines = 0;
let sigtermAt;
let stderrTail = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', chunk => {
	stderrTail = (stderrTail + chunk).slice(-4000);
});

const exited = new Promise(resolve => {
	child.once('exit', (code, signal) => {
		resolve({code, signal});
	});
});

let lastProgress = Date.now();
const lines = readline.createInterface({input: child.stdout});
lines.on('line', line => {
	lastLine = line;
	let event;
	try {
		event = JSON.parse(line);
	} catch {
		return;
	}

	switch (event.type) {
		case 'cycle_end': {
			cycleEndTimes.push(Date.now());
			lastProgress = Date.now();
			halts += event.halted ? 1 : 0;
			for (const status of Object.values(event.results)) {
				statuses[status] = (statuses[status] ?? 0) + 1;
			}

			if (cycleEndTimes.length % 1000 === 0) {
				const seconds = (Date.now() - started) / 1000;
				process.stdout.write(
					`  ${cycleEndTimes.length} cycles, ${seconds.toFixed(0)} s\n`,
				);
			}

			if (cycleEndTimes.length === cycles && sigtermAt === undefined) {
				sigtermAt = Date.now();
				child.kill('SIGTERM');
			}

			break;
		}

		case 'alert': {
			alerts++;
			break;
		}

		case 'engine_stop': {
			engineStopLines++;
			break;
		}

		default:
	}
});

const watchdog = setInterval(() => {
	const stuck =
		sigtermAt === undefined
			? Date.now() - lastProgress > stallMs
			: Date.now() - sigtermAt > stopTimeoutMs;
	if (stuck) {
		console.error(
			sigtermAt === undefined
				? `soak: no cycle ended for ${stallMs / 1000} s; killing the engine`
				: `soak: the engine did not exit ${stopTimeoutMs / 1000} s after SIGTERM; killing it`,
		);
		child.kill('SIGKILL');
	}
}, 1000);

const {code, signal} = await exited;
clearInterval(watchdog);
await new Promise(resolve => {
	lines.once('close', resolve);
	if (child.stdout.readableEnded) {
		resolve();
	}
});
const elapsedS = ((sigtermAt ?? Date.now()) - started) / 1000;

// ---------------------------------------------------------------------------------------------
// The figures

/** How many cycles had ended by `time`. */
const cyclesAt = time => {
	let low = 0;
	let high = cycleEndTimes.length;
	while (low < high) {
		const middle = Math.floor((low + high) / 2);
		if (cycleEndTimes[middle] <= time) {
			low = middle + 1;
		} else {
			high = middle;
		}
	}

	return low;
};

let samples = [];
try {
	samples = readFileSync(samplesFile, 'utf8')
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line))
		.filter(sample => sigtermAt === undefined || sample.time <= sigtermAt)
		.map(sample => ({...sample, cycle: cyclesAt(sample.time)}));
} catch (error) {
	console.error(`soak: no samples from the probe (${error.message})`);
}

const measured = samples.filter(sample => sample.cycle >= warmup);
const secondHalf = measured.filter(sample => sample.cycle >= cycles / 2);

/** Least-squares slope of `key` per 1000 cycles; undefined with fewer than 3 samples. */
function slope(points, key) {
	if (points.length < 3) {
		return undefined;
	}

	const meanX = points.reduce((sum, p) => sum + p.cycle, 0) / points.length;
	const meanY = points.reduce((sum, p) => sum + p[key], 0) / points.length;
	let covariance = 0;
	let variance = 0;
	for (const p of points) {
		covariance += (p.cycle - meanX) * (p[key] - meanY);
		variance += (p.cycle - meanX) ** 2;
	}

	return variance === 0 ? undefined : (covariance / variance) * 1000;
}

const mb = bytes => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const kb = bytes =>
	bytes === undefined ? 'n/a' : `${(bytes / 1024).toFixed(1)} KB`;
const first = measured[0];
const last = measured.at(-1);
const max = key => Math.max(...measured.map(sample => sample[key]));

const heapSlopeAll = slope(measured, 'heapUsed');
const heapSlope = slope(secondHalf, 'heapUsed');
const rssSlope = slope(secondHalf, 'rss');
const fdSlope = slope(secondHalf, 'fds');

const failures = [];
if (cycleEndTimes.length < cycles) {
	failures.push(`only ${cycleEndTimes.length} of ${cycles} cycles ended`);
}

if (code !== 143) {
	failures.push(
		`exit ${code ?? signal} after SIGTERM, expected 143${stderrTail ? `; stderr:\n${stderrTail}` : ''}`,
	);
}

let stopEvent = 'absent (this build has no engine_stop event)';
if (engineStopLines > 0) {
	let type;
	try {
		({type} = JSON.parse(lastLine));
	} catch {
		// Not JSON: not the event either.
	}

	if (type === 'engine_stop') {
		stopEvent = `last line: ${lastLine}`;
	} else {
		failures.push(`engine_stop was printed, but not as the last line`);
		stopEvent = 'not last';
	}
}

if (secondHalf.length < 10) {
	console.log(
		`soak: ${secondHalf.length} samples in the second half, too few to judge growth`,
	);
} else {
	if (heapSlope > maxHeapSlope) {
		failures.push(
			`the live heap grows by ${kb(heapSlope)} per 1000 cycles (limit ${kb(maxHeapSlope)})`,
		);
	}

	if (fdSlope > maxFdSlope) {
		failures.push(
			`open fds grow by ${fdSlope.toFixed(2)} per 1000 cycles (limit ${maxFdSlope})`,
		);
	}
}

const rows = [
	['cycles', `${cycleEndTimes.length} (SIGTERM after ${cycles})`],
	[
		'elapsed',
		`${elapsedS.toFixed(1)} s, ${((cycleEndTimes.length / elapsedS) * 1).toFixed(1)} cycles/s`,
	],
	['agent results', JSON.stringify(statuses)],
	['halts, alerts', `${halts}, ${alerts}`],
	['samples', `${samples.length} (${measured.length} after cycle ${warmup})`],
];
if (first && last) {
	rows.push(
		[
			'heap after GC, first / last',
			`${mb(first.heapUsed)} (cycle ${first.cycle}) / ${mb(last.heapUsed)} (cycle ${last.cycle})`,
		],
		['heap after GC, max', mb(max('heapUsed'))],
		[
			'heap slope, second half / all',
			`${kb(heapSlope)} / ${kb(heapSlopeAll)} per 1000 cycles`,
		],
		[
			'RSS first / last / peak',
			`${mb(first.rss)} / ${mb(last.rss)} / ${mb(max('rss'))}`,
		],
		['RSS slope, second half', `${kb(rssSlope)} per 1000 cycles`],
		[
			'external, arrayBuffers (last)',
			`${mb(last.external)}, ${mb(last.arrayBuffers)}`,
		],
		['fds first / last / max', `${first.fds} / ${last.fds} / ${max('fds')}`],
		[
			'fd slope, second half',
			`${fdSlope === undefined ? 'n/a' : fdSlope.toFixed(3)} per 1000 cycles`,
		],
	);
}

rows.push(
	['exit after SIGTERM', String(code ?? signal)],
	['engine_stop', stopEvent],
);
const width = Math.max(...rows.map(([label]) => label.length));
console.log('');
for (const [label, value] of rows) {
	console.log(`${label.padEnd(width)}  ${value}`);
}

const resultsDir = path.join(root, 'bench', 'results');
mkdirSync(resultsDir, {recursive: true});
writeFileSync(
	path.join(resultsDir, 'soak.json'),
	JSON.stringify(
		{
			date: new Date().toISOString(),
			node: process.version,
			cpus: os.cpus().length,
			cpu: os.cpus()[0]?.model,
			cli: cliPath,
			cycles,
			cyclesEnded: cycleEndTimes.length,
			elapsedS,
			warmup,
			heapSlopePer1000: heapSlope,
			heapSlopeAllPer1000: heapSlopeAll,
			rssSlopePer1000: rssSlope,
			fdSlopePer1000: fdSlope,
			exitCode: code,
			stopEvent,
			failures,
			samples,
		},
		undefined,
		'\t',
	),
);

if (options.keep) {
	console.log(`\nkept ${project}`);
} else {
	rmSync(project, {recursive: true, force: true});
}

if (failures.length > 0) {
	console.error(`\nsoak FAILED:\n- ${failures.join('\n- ')}`);
	process.exitCode = 1;
} else {
	console.log('\nsoak passed: no steady growth of the live heap or the fds');
}
