#!/usr/bin/env node
/*
What running an agent on a worker costs over running it locally (issue 16), on loopback: a real
redis-server on a free port, one `moondev-tui worker`, one engine. Each cycle runs the same tiny
agent locally, then with runOn (one sequential phase), and the engine's own agent_start to
agent_end durations are compared: the remote attempt's extra time is the choice of a worker, the
job through BullMQ, the output back through the attempt's Redis stream, and the result. Then the
throughput of an agent printing 5 MB, locally and on the worker. Usage: node
bench/workers-bench.mjs (after npm run build; needs redis-server). Writes bench/results/workers.json.
*/
import {execFileSync, spawn, spawnSync} from 'node:child_process';
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
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const cycles = Number(process.env.BENCH_CYCLES ?? 100);
const floodRuns = Number(process.env.BENCH_RUNS ?? 5);
const floodMb = 5;

if (spawnSync('redis-server', ['--version'], {stdio: 'ignore'}).status !== 0) {
	console.log('workers bench: skipped (redis-server is not installed)');
	process.exit(0);
}

const temporary = mkdtempSync(path.join(os.tmpdir(), 'moondev-workers-bench-'));
const env = {
	...process.env,
	HOME: temporary,
	XDG_CONFIG_HOME: path.join(temporary, 'xdg'),
	XDG_RUNTIME_DIR: path.join(temporary, 'run'),
};

const port = await new Promise(resolve => {
	const server = net.createServer();
	server.listen(0, '127.0.0.1', () => {
		const {port} = server.address();
		server.close(() => {
			resolve(port);
		});
	});
});
env.MOONDEV_REDIS_URL = `redis://127.0.0.1:${port}`;
const children = [];
const start = (args, options = {}) => {
	const child = spawn(args[0], args.slice(1), {env, ...options});
	children.push(child);
	return child;
};

const redis = start(
	[
		'redis-server',
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--save',
		'',
		'--appendonly',
		'no',
		'--dir',
		temporary,
	],
	{stdio: 'ignore'},
);

const say = path.join(temporary, 'say.mjs');
// Says when it started and when it ends (this machine's clock, as the engine's and the worker's).
writeFileSync(
	say,
	"console.log('first ' + Date.now());\nconsole.log('last ' + Date.now());\n",
);
const flood = path.join(root, 'test', 'fixtures', 'agents', 'flood.mjs');

function config(name, command) {
	const file = path.join(temporary, `${name}.json`);
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				// eslint-disable-next-line no-template-curly-in-string -- the config's own ${NAME}
				workers: {redis: '${MOONDEV_REDIS_URL}', queue: `bench-${name}`},
				metricsExportDir: path.join(temporary, `${name}-metrics`),
				sleepBetweenRunsMinutes: 0,
				metricsRetention: 5,
			},
			agents: {
				local: {command, enabled: true},
				remote: {command, enabled: true, runOn: 'bench'},
			},
			phases: [{name: 'both', agents: ['local', 'remote'], mode: 'sequential'}],
		}),
	);
	return file;
}

const lines = text =>
	text
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line));
const sorted = values => values.toSorted((a, b) => a - b);
const quantile = (values, q) =>
	sorted(values)[Math.min(values.length - 1, Math.floor(q * values.length))];

async function startWorker(file) {
	const worker = start([
		process.execPath,
		cli,
		'worker',
		'--config',
		file,
		'--tags',
		'bench',
	]);
	let log = '';
	worker.stderr.on('data', chunk => {
		log += chunk;
	});
	while (!log.includes(' on queue ')) {
		await delay(20);
	}

	return worker;
}

/** Per-attempt durations (ms) of each agent over `count` cycles of an engine that goes on. */
async function overhead() {
	const file = config('overhead', ['node', say]);
	const worker = await startWorker(file);
	const engine = start([
		process.execPath,
		cli,
		'--headless',
		'--json',
		'--config',
		file,
	]);
	let out = '';
	engine.stdout.on('data', chunk => {
		out += chunk;
	});
	const ends = () =>
		lines(out.slice(0, out.lastIndexOf('\n') + 1)).filter(
			event => event.type === 'agent_end',
		);
	// The first cycle warms up (connections, the worker's first job): not counted.
	while (ends().filter(event => event.agent === 'remote').length < cycles + 1) {
		await delay(50);
	}

	engine.kill('SIGTERM');
	worker.kill('SIGTERM');
	await delay(500);
	const events = lines(out.slice(0, out.lastIndexOf('\n') + 1));
	const of = agent =>
		ends()
			.filter(event => event.agent === agent)
			.slice(1, cycles + 1)
			.map(event => event.duration_s * 1000);
	// Each attempt's first and last line, by cycle, from the engine's log of the agent.
	const said = agent => {
		const byCycle = new Map();
		let cycle;
		const log = readFileSync(
			path.join(temporary, 'overhead-metrics', 'logs', `${agent}.log`),
			'utf8',
		);
		for (const line of log.split('\n')) {
			const header = /^─{4} cycle (\d+),/.exec(line);
			const [word, ms] = line.split(' ');
			if (header) {
				cycle = Number(header[1]);
				byCycle.set(cycle, {});
			} else if (cycle !== undefined && (word === 'first' || word === 'last')) {
				byCycle.get(cycle)[word] = Number(ms);
			}
		}

		return byCycle;
	};

	const at = (type, agent, cycle) =>
		Date.parse(
			events.find(
				event =>
					event.type === type && event.agent === agent && event.cycle === cycle,
			)?.time ?? Number.NaN,
		);
	// Sent: the local agent's agent_start; the remote one's, the local one's end (the phase is
	// sequential), so the choice of a worker counts. Then to its first line, and from its last
	// line to its agent_end.
	const phases = agent => {
		const lines_ = said(agent);
		const toFirst = [];
		const fromLast = [];
		for (const [cycle, {first, last}] of lines_) {
			if (cycle < 2 || first === undefined || last === undefined) {
				continue;
			}

			const sent =
				agent === 'local'
					? at('agent_start', 'local', cycle)
					: at('agent_end', 'local', cycle);
			toFirst.push(first - sent);
			fromLast.push(at('agent_end', agent, cycle) - last);
		}

		return {toFirst, fromLast};
	};

	return {
		local: of('local'),
		remote: of('remote'),
		phases: {local: phases('local'), remote: phases('remote')},
	};
}

async function throughput() {
	const file = config('flood', ['node', flood, String(floodMb)]);
	const worker = await startWorker(file);
	const local = [];
	const remote = [];
	for (let run = 0; run < floodRuns; run++) {
		const output = execFileSync(
			process.execPath,
			[cli, '--headless', '--once', '--json', '--config', file],
			{env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024},
		);
		for (const event of lines(output)) {
			if (event.type === 'agent_end') {
				(event.agent === 'local' ? local : remote).push(
					event.duration_s * 1000,
				);
			}
		}
	}

	worker.kill('SIGTERM');
	return {local, remote};
}

try {
	await delay(300);
	const {local, remote, phases} = await overhead();
	const extra = remote.map((ms, index) => ms - local[index]);
	const flood = await throughput();
	const rate = ms => (floodMb / (ms / 1000)).toFixed(1);
	const results = {
		cycles,
		attemptMs: {
			local: {median: quantile(local, 0.5), p99: quantile(local, 0.99)},
			remote: {median: quantile(remote, 0.5), p99: quantile(remote, 0.99)},
			overhead: {median: quantile(extra, 0.5), p99: quantile(extra, 0.99)},
		},
		// Sent to the agent's first line, and its last line to agent_end (ms; the clock's ms).
		sentToFirstLineMs: {
			local: {
				median: quantile(phases.local.toFirst, 0.5),
				p99: quantile(phases.local.toFirst, 0.99),
			},
			remote: {
				median: quantile(phases.remote.toFirst, 0.5),
				p99: quantile(phases.remote.toFirst, 0.99),
			},
		},
		lastLineToEndMs: {
			local: {
				median: quantile(phases.local.fromLast, 0.5),
				p99: quantile(phases.local.fromLast, 0.99),
			},
			remote: {
				median: quantile(phases.remote.fromLast, 0.5),
				p99: quantile(phases.remote.fromLast, 0.99),
			},
		},
		flood: {
			megabytes: floodMb,
			runs: floodRuns,
			localMs: quantile(flood.local, 0.5),
			remoteMs: quantile(flood.remote, 0.5),
		},
	};
	const {attemptMs} = results;
	console.log(
		`moondev-tui workers (node ${process.version}, redis on loopback, ${cycles} cycles)`,
	);
	console.log(
		`  one tiny agent, agent_start to agent_end: local ${attemptMs.local.median.toFixed(1)} ms (p99 ${attemptMs.local.p99.toFixed(1)}), on a worker ${attemptMs.remote.median.toFixed(1)} ms (p99 ${attemptMs.remote.p99.toFixed(1)})`,
	);
	console.log(
		`  overhead of a remote attempt: median ${attemptMs.overhead.median.toFixed(1)} ms, p99 ${attemptMs.overhead.p99.toFixed(1)} ms`,
	);
	const pair = ({local, remote}) =>
		`local ${local.median} ms (p99 ${local.p99}), on a worker ${remote.median} ms (p99 ${remote.p99})`;
	console.log(
		`  sent to the agent's first line: ${pair(results.sentToFirstLineMs)}`,
	);
	console.log(
		`  the agent's last line to agent_end: ${pair(results.lastLineToEndMs)}`,
	);
	console.log(
		`  ${floodMb} MB of output, medians of ${floodRuns}: local ${results.flood.localMs.toFixed(0)} ms (${rate(results.flood.localMs)} MB/s), on a worker ${results.flood.remoteMs.toFixed(0)} ms (${rate(results.flood.remoteMs)} MB/s)`,
	);
	mkdirSync(path.join(root, 'bench', 'results'), {recursive: true});
	writeFileSync(
		path.join(root, 'bench', 'results', 'workers.json'),
		`${JSON.stringify(results, undefined, 2)}\n`,
	);
} finally {
	for (const child of children.toReversed()) {
		child.kill('SIGKILL');
	}

	redis.kill('SIGKILL');
	await delay(100);
	rmSync(temporary, {recursive: true, force: true});
}
