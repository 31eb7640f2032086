import {Buffer} from 'node:buffer';
import {
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	truncateSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import type {CycleMetrics} from '../../source/monitor/metrics-file.js';
import {createMonitorFiles} from '../../source/monitor/monitor-files.js';
import {
	emptyState,
	loadState,
	type MonitorState,
} from '../../source/monitor/state-file.js';
import {temporaryDirectory} from '../helpers/index.js';

/* The one writer of the metrics folder: what each write leaves on disk, and how a failure is told. */

/** alerts.jsonl is rotated once it is past this size (10 MB). */
const alertsLimit = 10 * 1024 * 1024;

function metricsOf(cycle: number, haltReason: string | null = null) {
	return {
		timestamp: '2026-11-02T10:00:05.000Z',
		total_cycles: cycle,
		current_cycle: cycle,
		cycle_start: '2026-11-02T10:00:00.000Z',
		cycle_end: '2026-11-02T10:00:05.000Z',
		cycle_duration_seconds: 5,
		halted: haltReason !== null,
		halt_reason: haltReason,
		cycle: {},
		agents: {},
		performance: {
			total_executions: 0,
			total_successes: 0,
			total_failures: 0,
			overall_success_rate: 0,
			avg_cycle_time_minutes: 0,
		},
		custom_metrics: {},
	} satisfies CycleMetrics;
}

/** Local time, as the metrics file names are. */
const at = (seconds: number) => new Date(2026, 10, 2, 10, 0, seconds);

function filesIn(folder: string, retention = 0) {
	const failures: Array<{what: string; code: string | undefined}> = [];
	const files = createMonitorFiles({
		folder,
		retention,
		onFailure(what, error) {
			failures.push({what, code: (error as NodeJS.ErrnoException).code});
		},
	});
	return {files, failures};
}

describe('the cycle files', () => {
	test('the metrics file and moondev.prom are written, the folder made, the file and its bytes returned', () => {
		const folder = path.join(temporaryDirectory(), 'data', 'orchestrator');
		const {files, failures} = filesIn(folder);
		const metrics = metricsOf(1, 'VaR über Limit');
		const result = files.writeCycle(metrics, 'moondev_cycles_total 1\n', at(7));
		const file = path.join(folder, 'metrics_20261102_100007.json');
		const text = `${JSON.stringify(metrics, undefined, 2)}\n`;
		// Bytes, not characters: the ü is two.
		expect(Buffer.byteLength(text)).toBe(text.length + 1);
		expect(result).toEqual({path: file, bytes: text.length + 1});
		expect(readFileSync(file, 'utf8')).toBe(text);
		expect(readFileSync(path.join(folder, 'moondev.prom'), 'utf8')).toBe(
			'moondev_cycles_total 1\n',
		);
		expect(readdirSync(folder).toSorted()).toEqual([
			'metrics_20261102_100007.json',
			'moondev.prom',
		]);
		expect(failures).toEqual([]);
	});

	test('two cycles ending in the same second get two files; moondev.prom holds the latest', () => {
		const folder = temporaryDirectory();
		const {files} = filesIn(folder);
		const first = files.writeCycle(metricsOf(1), 'first\n', at(7));
		const second = files.writeCycle(metricsOf(2), 'second\n', at(7));
		expect(first).toMatchObject({
			path: path.join(folder, 'metrics_20261102_100007.json'),
		});
		expect(second).toMatchObject({
			path: path.join(folder, 'metrics_20261102_100007_2.json'),
		});
		expect(
			JSON.parse(
				readFileSync(
					path.join(folder, 'metrics_20261102_100007_2.json'),
					'utf8',
				),
			),
		).toMatchObject({current_cycle: 2});
		expect(readFileSync(path.join(folder, 'moondev.prom'), 'utf8')).toBe(
			'second\n',
		);
	});

	test('retention keeps the newest files only, counting the one just written', () => {
		const folder = temporaryDirectory();
		const {files} = filesIn(folder, 2);
		for (const seconds of [1, 2, 3, 3]) {
			files.writeCycle(metricsOf(seconds), '', at(seconds));
		}

		expect(readdirSync(folder).toSorted()).toEqual([
			'metrics_20261102_100003.json',
			'metrics_20261102_100003_2.json',
			'moondev.prom',
		]);
	});

	test('a retention of 0 keeps every file', () => {
		const folder = temporaryDirectory();
		const {files} = filesIn(folder, 0);
		for (const seconds of [1, 2, 3, 4, 5]) {
			files.writeCycle(metricsOf(seconds), '', at(seconds));
		}

		expect(
			readdirSync(folder).filter(name => name.startsWith('metrics_')),
		).toHaveLength(5);
	});
});

describe('the alerts file', () => {
	test('each alert is one JSON line, appended; separators and bidi controls escaped', () => {
		const folder = path.join(temporaryDirectory(), 'new');
		const {files, failures} = filesIn(folder);
		files.appendAlert({level: 'info', message: 'first'});
		files.appendAlert({
			level: 'critical',
			message: 'line\u2028break \u202Eevil',
			agent: 'risk',
		});
		const text = readFileSync(path.join(folder, 'alerts.jsonl'), 'utf8');
		expect(text).toBe(
			'{"level":"info","message":"first"}\n' +
				String.raw`{"level":"critical","message":"line\u2028break \u202eevil","agent":"risk"}` +
				'\n',
		);
		// It still reads back as what was written.
		expect(JSON.parse(text.split('\n')[1]!)).toEqual({
			level: 'critical',
			message: 'line\u2028break \u202Eevil',
			agent: 'risk',
		});
		expect(failures).toEqual([]);
	});

	test('past 10 MB the file is moved to alerts.jsonl.1 and a new one started', () => {
		const folder = temporaryDirectory();
		const file = path.join(folder, 'alerts.jsonl');
		writeFileSync(file, '');
		truncateSync(file, alertsLimit + 1);
		writeFileSync(`${file}.1`, 'an older rotation\n');
		const {files} = filesIn(folder);
		files.appendAlert({message: 'after'});
		expect(statSync(`${file}.1`).size).toBe(alertsLimit + 1);
		expect(readFileSync(file, 'utf8')).toBe('{"message":"after"}\n');
	});

	test('at exactly 10 MB the file is not rotated yet', () => {
		const folder = temporaryDirectory();
		const file = path.join(folder, 'alerts.jsonl');
		writeFileSync(file, '');
		truncateSync(file, alertsLimit);
		const {files} = filesIn(folder);
		files.appendAlert({message: 'after'});
		expect(readdirSync(folder)).toEqual(['alerts.jsonl']);
		expect(statSync(file).size).toBe(
			alertsLimit + '{"message":"after"}\n'.length,
		);
	});
});

describe('the state file', () => {
	test('saved where loadState finds it', () => {
		const folder = temporaryDirectory();
		const {files, failures} = filesIn(folder);
		const state: MonitorState = {
			...emptyState,
			totalCycles: 4,
			halts: 1,
			cycleDurationsS: [1, 2, 3, 4],
		};
		files.saveState(state);
		expect(loadState(folder)).toEqual({state, warning: undefined});
		expect(readFileSync(path.join(folder, 'state.json'), 'utf8')).toBe(
			`${JSON.stringify(state)}\n`,
		);
		expect(failures).toEqual([]);
	});
});

describe('a folder that cannot be written', () => {
	/** A metrics folder below a regular file: no write can succeed, even as root. */
	function brokenFolder() {
		const dir = temporaryDirectory();
		const blocker = path.join(dir, 'blocker');
		writeFileSync(blocker, '');
		return {blocker, folder: path.join(blocker, 'metrics')};
	}

	test('each kind of file is reported once, however many writes fail', () => {
		const {folder} = brokenFolder();
		const {files, failures} = filesIn(folder);
		for (let cycle = 1; cycle <= 3; cycle++) {
			files.appendAlert({message: `alert ${cycle}`});
			const result = files.writeCycle(metricsOf(cycle), '', at(cycle));
			// Every failed write still says why, for the cycle report.
			expect(result).toEqual({
				error: expect.stringMatching(/^ENOTDIR/v) as unknown,
			});
			files.saveState({...emptyState, totalCycles: cycle});
		}

		expect(failures).toEqual([
			{what: 'alerts.jsonl', code: 'ENOTDIR'},
			{what: 'metrics', code: 'ENOTDIR'},
			{what: 'moondev.prom', code: 'ENOTDIR'},
			{what: 'the state file', code: 'ENOTDIR'},
		]);
	});

	test('a kind written again is reported again when it next fails', () => {
		const {blocker, folder} = brokenFolder();
		const {files, failures} = filesIn(folder);
		files.writeCycle(metricsOf(1), '', at(1));
		files.appendAlert({message: 'lost'});
		expect(failures.map(failure => failure.what)).toEqual([
			'metrics',
			'moondev.prom',
			'alerts.jsonl',
		]);

		// Repaired: the metrics and moondev.prom are written (the folder made), the alerts not tried.
		rmSync(blocker);
		const written = files.writeCycle(metricsOf(2), '', at(2));
		expect(written).toEqual({
			path: path.join(folder, 'metrics_20261102_100002.json'),
			bytes: expect.any(Number) as unknown,
		});

		// Broken again: the metrics' and moondev.prom's failures are news; the alerts' is the same one still.
		rmSync(blocker, {recursive: true});
		writeFileSync(blocker, '');
		files.writeCycle(metricsOf(3), '', at(3));
		files.appendAlert({message: 'lost again'});
		files.writeCycle(metricsOf(4), '', at(4));
		expect(failures.map(failure => failure.what)).toEqual([
			'metrics',
			'moondev.prom',
			'alerts.jsonl',
			'metrics',
			'moondev.prom',
		]);
	});

	test('a failure of one kind does not hide another kind', () => {
		const dir = temporaryDirectory();
		const folder = path.join(dir, 'metrics');
		mkdirSync(folder);
		// A folder where moondev.prom should be: that file alone fails.
		mkdirSync(path.join(folder, 'moondev.prom'));
		const {files, failures} = filesIn(folder);
		const result = files.writeCycle(metricsOf(1), '', at(1));
		expect(result).toEqual({
			path: path.join(folder, 'metrics_20261102_100001.json'),
			bytes: expect.any(Number) as unknown,
		});
		files.writeCycle(metricsOf(2), '', at(2));
		files.appendAlert({message: 'still written'});
		files.saveState(emptyState);
		expect(failures).toEqual([{what: 'moondev.prom', code: 'EISDIR'}]);
		expect(readFileSync(path.join(folder, 'alerts.jsonl'), 'utf8')).toBe(
			'{"message":"still written"}\n',
		);
		expect(loadState(folder).state).toEqual(emptyState);
	});
});

describe('promFile', () => {
	test('moondev.prom is written where promFile says, atomically, and not in the metrics folder', () => {
		const dir = temporaryDirectory();
		const folder = path.join(dir, 'metrics');
		const textfile = path.join(dir, 'node_exporter');
		mkdirSync(textfile);
		const promFile = path.join(textfile, 'moondev.prom');
		const failures: string[] = [];
		const files = createMonitorFiles({
			folder,
			promFile,
			retention: 0,
			onFailure(what) {
				failures.push(what);
			},
		});
		files.writeCycle(metricsOf(1), 'moondev_cycles_total 1\n', at(1));
		files.writeCycle(metricsOf(2), 'moondev_cycles_total 2\n', at(2));
		expect(readFileSync(promFile, 'utf8')).toBe('moondev_cycles_total 2\n');
		// Only the file itself: node_exporter reads *.prom, and no temporary file is left.
		expect(readdirSync(textfile)).toEqual(['moondev.prom']);
		expect(readdirSync(folder).toSorted()).toEqual([
			'metrics_20261102_100001.json',
			'metrics_20261102_100002.json',
		]);
		expect(failures).toEqual([]);
	});

	test('a promFile that cannot be written is reported once, by its path; the metrics files are written all the same', () => {
		const dir = temporaryDirectory();
		const folder = path.join(dir, 'metrics');
		// Its folder is not made: a mistyped textfile folder is said, not created.
		const promFile = path.join(dir, 'missing', 'moondev.prom');
		const failures: Array<{what: string; code: string | undefined}> = [];
		const files = createMonitorFiles({
			folder,
			promFile,
			retention: 0,
			onFailure(what, error) {
				failures.push({what, code: (error as NodeJS.ErrnoException).code});
			},
		});
		for (let cycle = 1; cycle <= 3; cycle++) {
			expect(files.writeCycle(metricsOf(cycle), 'x\n', at(cycle))).toEqual({
				path: path.join(folder, `metrics_20261102_10000${cycle}.json`),
				bytes: expect.any(Number) as unknown,
			});
		}

		expect(failures).toEqual([{what: promFile, code: 'ENOENT'}]);
		mkdirSync(path.dirname(promFile));
		files.writeCycle(metricsOf(4), 'x\n', at(4));
		expect(readFileSync(promFile, 'utf8')).toBe('x\n');
		rmSync(path.dirname(promFile), {recursive: true});
		files.writeCycle(metricsOf(5), 'x\n', at(5));
		expect(failures.map(failure => failure.what)).toEqual([promFile, promFile]);
	});
});
