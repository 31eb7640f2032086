#!/usr/bin/env node
/*
A running engine's costs to the people and scripts that attach to it (issue 12's figures):
- from `moondev-tui attach` to a whole first frame, on a headless engine running 20 agents;
- from a key pressed in the attached TUI (p, pause and resume) to the screen showing the engine's
  answer;
- an engine whose 8 agents flood output: its cycle time with no client and with 10 raw socket
  clients attached (reading everything), and its resident memory with one client that attached
  and stopped reading (it must be dropped, the memory bounded).
Usage: node bench/attach-bench.mjs (after npm run build). Needs tmux. Prints a table and writes
bench/results/attach.json.
*/
import {execFileSync, spawn} from 'node:child_process';
import {
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {setTimeout as sleep} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const temporary = mkdtempSync(path.join(os.tmpdir(), 'moondev-attach-bench-'));
const tmux = (...args) => execFileSync('tmux', args, {encoding: 'utf8'});
const env = {
	...process.env,
	HOME: temporary,
	XDG_CONFIG_HOME: path.join(temporary, 'xdg'),
	XDG_RUNTIME_DIR: path.join(temporary, 'run'),
};
delete env.NODE_EXTRA_CA_CERTS;
delete env.CI;
const steps = path.join(root, 'test', 'fixtures', 'agents', 'steps.mjs');
const printer = path.join(root, 'bench', 'agents', 'print-lines.mjs');
const median = values =>
	values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];

/** A headless engine on a config, its JSON events as they come, and its pid. */
function startEngine(name, config) {
	const file = path.join(temporary, `${name}.json`);
	writeFileSync(
		file,
		JSON.stringify({
			...config,
			orchestrator: {
				...config.orchestrator,
				metricsExportDir: path.join(temporary, `${name}-metrics`),
			},
		}),
	);
	const child = spawn(
		process.execPath,
		[cli, '--headless', '--json', '--config', file],
		{env, stdio: ['ignore', 'pipe', 'inherit']},
	);
	const events = [];
	let pending = '';
	child.stdout.setEncoding('utf8');
	child.stdout.on('data', chunk => {
		pending += chunk;
		const lines = pending.split('\n');
		pending = lines.pop();
		for (const line of lines) {
			events.push(JSON.parse(line));
		}
	});
	return {file, child, events};
}

async function until(check, timeoutMs = 30_000, what = 'a condition') {
	const deadline = performance.now() + timeoutMs;
	while (!check()) {
		if (performance.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await sleep(2);
	}

	return performance.now();
}

function rssMb(pid) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** A raw client of the control socket: attaches, then reads (and drops) or stops reading. */
async function rawClient(socketPath, {reads}) {
	const socket = net.connect(socketPath);
	await new Promise(resolve => {
		socket.once('data', resolve);
	});
	socket.write('{"id":1,"protocol":1,"op":"attach"}\n');
	let bytes = 0;
	if (reads) {
		socket.on('data', chunk => {
			bytes += chunk.length;
		});
	} else {
		socket.removeAllListeners('data');
		socket.pause();
	}

	let closed = false;
	const closedPromise = new Promise(resolve => {
		socket.on('close', () => {
			closed = true;
			resolve();
		});
	});
	socket.on('error', () => {
		// A dropped client: counted by `closed`.
	});
	return {
		bytes: () => bytes,
		closed: () => closed,
		/** Reads what it left unread; resolves true when the engine had closed it meanwhile. */
		async drain(timeoutMs) {
			socket.on('data', chunk => {
				bytes += chunk.length;
			});
			socket.resume();
			return Promise.race([
				closedPromise.then(() => true),
				sleep(timeoutMs).then(() => false),
			]);
		},
		end() {
			socket.destroy();
		},
	};
}

const results = {};
// A session that outlives the others: a tmux server whose last session just ended is going away,
// and a new session asked of it then fails ("server exited unexpectedly").
const keeper = `attach-keeper-${process.pid}`;
for (let tries = 0; ; tries++) {
	try {
		tmux('new-session', '-d', '-s', keeper, 'sleep 900');
		break;
	} catch (error) {
		if (tries === 20) {
			throw error;
		}

		await sleep(250);
	}
}

const sessions = [keeper];
const engines = [];
try {
	// 1 and 2: 20 agents, attach in tmux.
	const agents = Object.fromEntries(
		Array.from({length: 20}, (_, index) => [
			`agent${String(index).padStart(2, '0')}`,
			// Bars that move for 5 s a cycle: the screen has news, the machine is not saturated.
			{command: ['node', steps, `a${index}`, '10', '500'], enabled: true},
		]),
	);
	const twenty = startEngine('twenty', {
		orchestrator: {sleepBetweenRunsMinutes: 0, maxWorkers: 20},
		agents,
	});
	engines.push(twenty.child);
	await until(
		() => twenty.events.some(event => event.type === 'cycle_start'),
		30_000,
		'the engine to start',
	);
	const attachCommand = `env -u NODE_EXTRA_CA_CERTS -u CI HOME=${env.HOME} XDG_CONFIG_HOME=${env.XDG_CONFIG_HOME} XDG_RUNTIME_DIR=${env.XDG_RUNTIME_DIR} ${process.execPath} ${cli} attach --config ${twenty.file}; sleep 30`;
	const firstFrames = [];
	for (let run = 0; run < 5; run++) {
		const name = `attach-${process.pid}-${run}`;
		sessions.push(name);
		const began = performance.now();
		tmux(
			'new-session',
			'-d',
			'-s',
			name,
			'-x',
			'120',
			'-y',
			'40',
			attachCommand,
		);
		const screen = () => tmux('capture-pane', '-p', '-t', name);
		const shown = await until(
			() => /AGENT +TAG/.test(screen()) && screen().includes('agent19'),
			20_000,
			'a whole first frame',
		);
		firstFrames.push(shown - began);
		if (run < 4) {
			tmux('kill-session', '-t', name);
		}
	}

	results.attachFirstFrameMs = {
		median: median(firstFrames),
		samples: firstFrames.map(Math.round),
	};

	// Keys on the last attached screen: p pauses (the engine's schedule comes back), p resumes.
	const name = sessions.at(-1);
	const screen = () => tmux('capture-pane', '-p', '-t', name);
	// The header may wrap with a long config path (issue 14): match its start only.
	const pausedMark = /PAUSED|pausing after/;
	const latencies = [];
	for (let press = 0; press < 8; press++) {
		const pausing = press % 2 === 0;
		const sent = performance.now();
		tmux('send-keys', '-t', name, 'p');
		const seen = await until(
			() => pausedMark.test(screen()) === pausing,
			5000,
			'the answer on screen',
		).catch(error => {
			console.error(screen());
			throw error;
		});
		latencies.push(seen - sent);
		await sleep(200);
	}

	results.controlToScreenMs = {
		median: median(latencies),
		max: Math.max(...latencies),
		samples: latencies.map(Math.round),
	};
	tmux('kill-session', '-t', name);
	twenty.child.kill('SIGTERM');

	// 3: 8 agents × 100,000 lines per cycle, with 0 and then 10 readers attached.
	const flood = startEngine('flood', {
		orchestrator: {sleepBetweenRunsMinutes: 0, maxWorkers: 8},
		agents: {
			risk: {
				command: ['node', steps, 'risk', '1', '10'],
				enabled: true,
				critical: true,
			},
			...Object.fromEntries(
				Array.from({length: 8}, (_, index) => [
					`flood${index}`,
					{command: ['node', printer, '100000'], enabled: true},
				]),
			),
		},
	});
	engines.push(flood.child);
	const socketPath = path.join(temporary, 'flood-metrics', 'moondev.sock');
	const cycleTimes = async count => {
		const from = flood.events.filter(
			event => event.type === 'cycle_end',
		).length;
		// The cycle running when we start is mixed: skip it.
		await until(
			() =>
				flood.events.filter(event => event.type === 'cycle_end').length >=
				from + count + 1,
			300_000,
			`${count} cycles`,
		);
		return flood.events
			.filter(event => event.type === 'cycle_end')
			.slice(from + 1, from + count + 1)
			.map(event => event.duration_s * 1000);
	};

	const peak = () => {
		let value = 0;
		const timer = setInterval(() => {
			value = Math.max(value, rssMb(flood.child.pid));
		}, 20);
		return () => {
			clearInterval(timer);
			return value;
		};
	};

	// Alone and watched in turns, so that drift in the machine's load falls on both alike.
	const alone = [];
	const watched = [];
	let aloneRss = 0;
	let watchedRss = 0;
	let received = 0;
	for (let round = 0; round < 3; round++) {
		let stopPeak = peak();
		alone.push(...(await cycleTimes(6)));
		aloneRss = Math.max(aloneRss, stopPeak());
		const readers = await Promise.all(
			Array.from({length: 10}, async () =>
				rawClient(socketPath, {reads: true}),
			),
		);
		stopPeak = peak();
		watched.push(...(await cycleTimes(6)));
		watchedRss = Math.max(watchedRss, stopPeak());
		received += readers.reduce((sum, reader) => sum + reader.bytes(), 0);
		for (const reader of readers) {
			reader.end();
		}
	}

	const stopPeak = peak();
	const stalled = await rawClient(socketPath, {reads: false});
	// Long enough for the stalled client to pass the 4 MiB and 2 s after which it is dropped.
	const stalledTimes = await cycleTimes(12);
	const stalledRss = stopPeak();
	// Paused, it cannot see the close; reading now shows whether the engine dropped it.
	const dropped = await stalled.drain(5000);
	results.flood = {
		cycleMsAlone: median(alone),
		cycleMsWith10Readers: median(watched),
		slowdownPercent: ((median(watched) - median(alone)) / median(alone)) * 100,
		readersReceivedMb: received / 1024 / 1024,
		peakRssMbAlone: aloneRss,
		peakRssMbWith10Readers: watchedRss,
		cycleMsWithAStalledClient: median(stalledTimes),
		peakRssMbWithAStalledClient: stalledRss,
		stalledClientDropped: dropped,
		stalledClientReceivedMb: stalled.bytes() / 1024 / 1024,
	};
	stalled.end();
	flood.child.kill('SIGTERM');
} finally {
	for (const name of sessions) {
		try {
			tmux('kill-session', '-t', name);
		} catch {
			// Gone already.
		}
	}

	for (const child of engines) {
		child.kill('SIGTERM');
	}

	await sleep(500);
	rmSync(temporary, {recursive: true, force: true});
}

const {flood} = results;
console.log('moondev-tui attach costs (node', process.version + ')');
console.log(
	`  attach to a whole first frame (20 agents)  median ${results.attachFirstFrameMs.median.toFixed(0)} ms of 5 (${results.attachFirstFrameMs.samples.join(', ')})`,
);
console.log(
	`  key on the attached screen to its answer    median ${results.controlToScreenMs.median.toFixed(0)} ms, max ${results.controlToScreenMs.max.toFixed(0)} ms`,
);
console.log(
	`  8 floods, cycle time                        ${flood.cycleMsAlone.toFixed(0)} ms alone, ${flood.cycleMsWith10Readers.toFixed(0)} ms with 10 readers (${flood.slowdownPercent >= 0 ? '+' : ''}${flood.slowdownPercent.toFixed(1)} %; they got ${flood.readersReceivedMb.toFixed(0)} MB)`,
);
console.log(
	`  8 floods, engine peak RSS                   ${flood.peakRssMbAlone.toFixed(0)} MB alone, ${flood.peakRssMbWith10Readers.toFixed(0)} MB with 10 readers, ${flood.peakRssMbWithAStalledClient.toFixed(0)} MB with a client that stopped reading (${flood.stalledClientDropped ? `dropped after ${flood.stalledClientReceivedMb.toFixed(1)} MB` : 'NOT dropped'}; cycle ${flood.cycleMsWithAStalledClient.toFixed(0)} ms)`,
);
mkdirSync(path.join(root, 'bench', 'results'), {recursive: true});
writeFileSync(
	path.join(root, 'bench', 'results', 'attach.json'),
	`${JSON.stringify(results, undefined, 2)}\n`,
);
