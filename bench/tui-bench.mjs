#!/usr/bin/env node
/*
The TUI's costs, measured in a real terminal (tmux): launch to first frame; CPU of the moondev-tui
process while it sleeps between cycles; and, while 8 agents each print 50,000 lines as fast as
they can, the latency from a key press to the screen showing it, and the resident memory.
Usage: node bench/tui-bench.mjs (after npm run build). Needs tmux. Prints a table and writes
bench/results/tui.json.
*/
import {execFileSync} from 'node:child_process';
import {
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const temporary = mkdtempSync(path.join(os.tmpdir(), 'moondev-tui-bench-'));
const ticks =
	Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) ||
	100;
const tmux = (...args) => execFileSync('tmux', args, {encoding: 'utf8'});

/** Starts moondev-tui on a config in a fresh tmux session; returns the session and the pid file. */
function start(name, config) {
	const file = path.join(temporary, `${name}.json`);
	writeFileSync(file, JSON.stringify(config));
	const pidFile = path.join(temporary, `${name}.pid`);
	const env = `env -u NODE_EXTRA_CA_CERTS -u CI -u CONTINUOUS_INTEGRATION XDG_CONFIG_HOME=${temporary}/xdg`;
	tmux(
		'new-session',
		'-d',
		'-s',
		name,
		'-x',
		'100',
		'-y',
		'30',
		`echo $$ > ${pidFile}; exec ${env} ${process.execPath} ${cli} --config ${file} --metrics-dir ${temporary}/${name}-metrics`,
	);
	return {name, pidFile, screen: () => tmux('capture-pane', '-p', '-t', name)};
}

async function waitFor(session, pattern, timeoutMs = 20_000) {
	const deadline = performance.now() + timeoutMs;
	while (performance.now() < deadline) {
		if (pattern.test(session.screen())) {
			return performance.now();
		}

		await sleep(2);
	}

	throw new Error(`timed out waiting for ${pattern}:\n${session.screen()}`);
}

function cpuTicks(pid) {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const median = values =>
	values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
const results = {};
const quick = [
	'node',
	path.join(root, 'test', 'fixtures', 'agents', 'steps.mjs'),
	'quick',
	'2',
	'50',
];

try {
	// 1. Launch to first frame, 5 times.
	const firstFrames = [];
	for (let run = 0; run < 5; run++) {
		const began = performance.now();
		const session = start(`first${run}`, {
			orchestrator: {sleepBetweenRunsMinutes: 10},
			agents: {a: {command: quick, enabled: true}},
		});
		const shown = await waitFor(session, /AGENT +TAG/);
		firstFrames.push(shown - began);
		tmux('kill-session', '-t', session.name);
	}

	results.firstFrameMs = median(firstFrames);

	// 2. CPU while sleeping between cycles: 10 s after the first cycle ended.
	const idle = start('idle', {
		orchestrator: {sleepBetweenRunsMinutes: 10},
		agents: {a: {command: quick, enabled: true}},
	});
	await waitFor(idle, /SLEEPING/);
	await sleep(1000);
	const idlePid = Number(readFileSync(idle.pidFile, 'utf8'));
	const before = cpuTicks(idlePid);
	const t0 = performance.now();
	await sleep(10_000);
	const usedSeconds = (cpuTicks(idlePid) - before) / ticks;
	results.idleCpuPercent =
		(usedSeconds / ((performance.now() - t0) / 1000)) * 100;
	tmux('kill-session', '-t', idle.name);

	// 3. A flood: 8 agents × 50,000 lines; key-to-screen latency and RSS while it runs.
	const printer = [
		'node',
		path.join(root, 'bench', 'agents', 'print-lines.mjs'),
		'50000',
	];
	const agents = Object.fromEntries(
		Array.from({length: 8}, (_, index) => [
			`flood${index}`,
			{command: printer, enabled: true},
		]),
	);
	agents.zz = {
		command: ['node', '-e', 'setTimeout(() => {}, 30000)'],
		enabled: true,
	};
	const flood = start('flood', {
		orchestrator: {maxWorkers: 9, sleepBetweenRunsMinutes: 10},
		agents,
	});
	await waitFor(flood, /AGENT +TAG/);
	const floodPid = Number(readFileSync(flood.pidFile, 'utf8'));
	let peakRss = 0;
	const sampler = setInterval(() => {
		try {
			peakRss = Math.max(peakRss, rssMb(floodPid));
		} catch {
			// Gone already.
		}
	}, 20);
	const latencies = [];
	await waitFor(flood, /flood0 .*running/);
	for (let press = 0; press < 8; press++) {
		const target = press % 2 === 0 ? 'j' : 'k';
		const row = press % 2 === 0 ? /› . flood1 / : /› . flood0 /;
		const sent = performance.now();
		tmux('send-keys', '-t', flood.name, target);
		const seen = await waitFor(flood, row, 5000);
		latencies.push(seen - sent);
		await sleep(150);
	}

	clearInterval(sampler);
	results.keyLatencyMs = {
		median: median(latencies),
		max: Math.max(...latencies),
		samples: latencies.map(value => Math.round(value)),
	};
	results.peakRssMb = peakRss;
	results.floodStillRunning = /running/.test(flood.screen());
	tmux('kill-session', '-t', flood.name);
} finally {
	for (const session of [
		'idle',
		'flood',
		'first0',
		'first1',
		'first2',
		'first3',
		'first4',
	]) {
		try {
			tmux('kill-session', '-t', session);
		} catch {
			// Gone already.
		}
	}

	rmSync(temporary, {recursive: true, force: true});
}

console.log('moondev-tui TUI costs (tmux 100×30, node', process.version + ')');
console.log(
	`  launch to first frame       ${results.firstFrameMs.toFixed(0)} ms (median of 5)`,
);
console.log(
	`  CPU while sleeping          ${results.idleCpuPercent.toFixed(2)} % of a core (10 s)`,
);
console.log(
	`  key to screen, 8 floods     median ${results.keyLatencyMs.median.toFixed(0)} ms, max ${results.keyLatencyMs.max.toFixed(0)} ms`,
);
console.log(
	`  resident memory, 8 floods   peak ${results.peakRssMb.toFixed(0)} MB`,
);
mkdirSync(path.join(root, 'bench', 'results'), {recursive: true});
writeFileSync(
	path.join(root, 'bench', 'results', 'tui.json'),
	`${JSON.stringify(results, undefined, 2)}\n`,
);
