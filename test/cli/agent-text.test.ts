import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	fixtureCommand,
	parseJsonLines,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

/*
Agent text cannot forge or hijack the screen (issue 10, item 6): an agent whose messages, alert,
halt reason, log lines and last stderr line carry a newline and a forged engine line, cursor moves,
a title set, a bell, a carriage return, an 8-bit CSI and a right-to-left override. Real agents,
the built CLI.
*/

/** Every character a terminal or a line splitter acts on, but the line feed that ends a line. */
const rawControl =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;
/** The same, for files that may keep a tab. */
const rawControlButTab =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;
/** What JSON text must not carry raw either, beyond C0 (which JSON.stringify escapes). */
const rawInJson = /[\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;

/** How the fixture's text reads once escaped. */
const forgedShown = String.raw`\n10:00:00 trading: ✓ success in 0.1s`;
const controlsShown = String.raw`\x1b[2J\x1b[H\x1b]0;pwned\x07\x07\rOVERWRITE\u009b2J\u202eevil\u2028`;
const rule = '='.repeat(80);

/** A config of these agents, run once headless; its folder for the files. */
async function runOnce(
	agents: Record<string, Record<string, unknown>>,
	json: boolean,
) {
	const dir = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				metricsExportDir: 'metrics',
				maxRetries: 2,
				backoffBaseSeconds: 0.01,
			},
			agents,
		}),
	);
	const result = await runCli([
		'--headless',
		'--once',
		...(json ? ['--json'] : []),
		'--config',
		file,
	]);
	return {result, metrics: path.join(dir, 'metrics')};
}

const noisy = {
	noisy: {command: fixtureCommand('hostile.mjs'), enabled: true, retries: 1},
};
const risk = {
	risk: {
		command: fixtureCommand('hostile.mjs', 'halt'),
		enabled: true,
		critical: true,
	},
};

/**
Headless text: no raw control character, and every line is an event's (it starts with the time)
or the dashboard's (a title, a blank, or indented) — never a line an agent started.
*/
function expectSafeText(stdout: string) {
	expect(stdout).not.toMatch(rawControl);
	let rules = 0;
	for (const line of stdout.trimEnd().split('\n')) {
		expect(line).not.toMatch(/^10:00:00 trading/v);
		if (line === rule) {
			rules++;
		} else if (rules % 3 === 0) {
			expect(line).toMatch(/^\d\d:\d\d:\d\d \S/v);
		} else {
			expect(line).toMatch(/^(?:|[A-Z][A-Z ]+| {2}\S.*)$/v);
		}
	}

	expect(rules % 3).toBe(0);
	expect(rules).toBeGreaterThan(0);
}

/** `--json`: every line parses, and nothing in the raw text acts on a terminal. */
function expectSafeJson(stdout: string) {
	expect(stdout).not.toMatch(rawControl);
	expect(stdout).not.toMatch(rawInJson);
	return parseJsonLines(stdout);
}

/** Every file the monitoring half wrote: the agent's words in it are escaped too. */
function expectSafeFiles(metrics: string) {
	const files = readdirSync(metrics, {recursive: true, withFileTypes: true})
		.filter(entry => entry.isFile())
		.map(entry => path.join(entry.parentPath, entry.name));
	expect(files.some(file => file.endsWith('.log'))).toBe(true);
	expect(files.some(file => file.endsWith('alerts.jsonl'))).toBe(true);
	for (const file of files) {
		const text = readFileSync(file, 'utf8');
		expect(text, file).not.toMatch(rawControlButTab);
		if (!file.endsWith('.log')) {
			expect(text, file).not.toMatch(rawInJson);
		}
	}
}

describe('headless text', () => {
	test('an agent that fails: its progress, alert and stderr error are escaped on their own lines', async () => {
		const {result, metrics} = await runOnce(noisy, false);
		expect(result.exitCode).toBe(1);
		expectSafeText(result.stdout);
		expect(result.stdout).toContain(
			`noisy: 50% progress${forgedShown}${controlsShown}`,
		);
		expect(result.stdout).toContain(
			`[WARNING] noisy: alert${forgedShown}${controlsShown}`,
		);
		// Its last stderr line is the error of the retry, of the end, of the alert and the dashboard.
		const error = String.raw`exit code 1: failed: bad thing\x1b[2K\x07\u009b2J\u202eevil`;
		const lines = result.stdout.split('\n');
		const retry = lines.find(line => line.includes(' noisy: retry 2/2 in '));
		expect(retry?.endsWith(` after ${error}`)).toBe(true);
		const end = lines.find(line => line.includes(' noisy: ✗ failed in '));
		expect(end?.endsWith(` after 2 attempts: ${error}`)).toBe(true);
		expect(result.stdout).toContain(
			`WARN  noisy failed after 2 attempts: ${error}`,
		);
		expectSafeFiles(metrics);
	});

	test('a critical agent that halts: the reason is escaped in the halt line, the alert and the dashboard', async () => {
		const {result, metrics} = await runOnce(risk, false);
		expect(result.exitCode).toBe(3);
		expectSafeText(result.stdout);
		expect(result.stdout).toContain(
			`HALT cycle 1 by risk: reason${forgedShown}${controlsShown}`,
		);
		expect(result.stdout).toContain(
			`HALTED: reason${forgedShown}${controlsShown}`,
		);
		expectSafeFiles(metrics);
	});

	test('the log file keeps tabs and line ends, strips colours, and escapes every other control', async () => {
		const {metrics} = await runOnce(noisy, false);
		const log = readFileSync(path.join(metrics, 'logs', 'noisy.log'), 'utf8');
		expect(log).not.toMatch(rawControlButTab);
		const lines = log.split('\n');
		expect(lines).toContain(`stdout line${controlsShown}`);
		expect(lines).toContain(`[stderr] stderr line${controlsShown}`);
		expect(lines).toContain('col1\tcol2');
		expect(lines).toContain('green');
		// The malformed metric line (its name breaks the pattern) is a log line, as it came.
		expect(log).toMatch(
			/^::moondev::\{"type":"metric","name":"var\\u001b\[2J\\n10:00:00/mv,
		);
	});

	test('an error that quotes the config (a command that cannot start) is escaped by the printer', async () => {
		const {result} = await runOnce(
			{
				ghost: {
					command: ['./no\u0085such\u2028prog\u001B]0;t\u0007\u202E'],
					enabled: true,
				},
			},
			false,
		);
		expect(result.exitCode).toBe(1);
		expectSafeText(result.stdout);
		expect(result.stdout).toContain(
			String.raw`no\u0085such\u2028prog\x1b]0;t\x07\u202e`,
		);
	});
});

describe('--json', () => {
	test("the agent's words arrive escaped, and the output is one valid object per line", async () => {
		const {result, metrics} = await runOnce(noisy, true);
		expect(result.exitCode).toBe(1);
		const events = expectSafeJson(result.stdout);
		expect(events).toContainEqual(
			expect.objectContaining({
				type: 'agent_progress',
				agent: 'noisy',
				message: `progress${forgedShown}${controlsShown}`,
			}),
		);
		expect(events).toContainEqual(
			expect.objectContaining({
				type: 'alert',
				agent: 'noisy',
				message: `alert${forgedShown}${controlsShown}`,
			}),
		);
		expect(events).toContainEqual(
			expect.objectContaining({
				type: 'agent_end',
				error: String.raw`exit code 1: failed: bad thing\x1b[2K\x07\u009b2J\u202eevil`,
			}),
		);
		expectSafeFiles(metrics);
	});

	test('the halt reason arrives escaped', async () => {
		const {result} = await runOnce(risk, true);
		expect(result.exitCode).toBe(3);
		const events = expectSafeJson(result.stdout);
		expect(events).toContainEqual(
			expect.objectContaining({
				type: 'halt',
				agent: 'risk',
				reason: `reason${forgedShown}${controlsShown}`,
			}),
		);
	});

	test('C1 controls and separators from elsewhere (the config) are escaped in the JSON text, parsing to the same value', async () => {
		const program = './no\u0085such\u2028prog\u001B]0;t\u0007\u202E';
		const {result} = await runOnce(
			{ghost: {command: [program], enabled: true}},
			true,
		);
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toContain(String.raw`no\u0085such\u2028prog`);
		const events = expectSafeJson(result.stdout);
		const end = events.find(event => event.type === 'agent_end');
		expect(end?.error).toMatch(/^cannot start: command not found: /v);
		expect(end?.error).toContain(program.slice(2));
	});
});
