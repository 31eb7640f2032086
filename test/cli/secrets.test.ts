import {Buffer} from 'node:buffer';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {fixtureCommand, runCli, temporaryDirectory} from '../helpers/index.js';

/* Secrets stay secret on every path; the environment wins over an env file, as dotenv does. */

const secret = 'sk-live-0123456789abcdef';

/** Every file under a folder, read as text: logs, metrics, state, alerts. */
function everythingWritten(folder: string): string {
	let text = '';
	for (const entry of readdirSync(folder, {
		withFileTypes: true,
		recursive: true,
	})) {
		if (entry.isFile()) {
			text += readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
		}
	}

	return text;
}

describe('a value that cannot be passed to a process', () => {
	test("a NUL in an agent's env is a config error naming the key, never the value", async () => {
		const dir = temporaryDirectory();
		const file = path.join(dir, 'moondev.json');
		writeFileSync(
			file,
			JSON.stringify({
				orchestrator: {metricsExportDir: 'metrics'},
				agents: {
					trading: {
						command: fixtureCommand('env.mjs'),
						enabled: true,
						env: {API_KEY: `${secret}\u0000tail`},
					},
				},
			}),
		);
		for (const args of [
			['--headless', '--once', '--json', '--config', file],
			['validate', '--config', file],
			['run', 'trading', '--config', file],
		]) {
			const result = await runCli(args);
			expect(result.exitCode).toBe(2);
			expect(result.stderr.trim()).toBe(
				`${file}: agents.trading.env.API_KEY: the value cannot be passed to a process (it holds a NUL byte)`,
			);
			expect(result.stdout + result.stderr).not.toContain(secret);
		}
	});

	test('a NUL in an env file is a config error naming the file and the key', async () => {
		const dir = temporaryDirectory();
		writeFileSync(path.join(dir, '.env'), `API_KEY="${secret}\u0000"\n`);
		const file = path.join(dir, 'moondev.json');
		writeFileSync(
			file,
			JSON.stringify({
				orchestrator: {envFile: '.env'},
				agents: {trading: {command: fixtureCommand('env.mjs'), enabled: true}},
			}),
		);
		const result = await runCli(['validate', '--config', file]);
		expect(result.exitCode).toBe(2);
		expect(result.stderr.trim()).toBe(
			`${file}: orchestrator.envFile: ${path.join(dir, '.env')}: API_KEY: the value cannot be passed to a process (it holds a NUL byte)`,
		);
		expect(result.stdout + result.stderr).not.toContain(secret);
	});
});

describe('env files', () => {
	test('the environment wins over an env file, and the engine says which names (never values)', async () => {
		const dir = temporaryDirectory();
		writeFileSync(
			path.join(dir, '.env'),
			`API_KEY=${secret}\nMODEL=from-file\n`,
		);
		const file = path.join(dir, 'moondev.json');
		writeFileSync(
			file,
			JSON.stringify({
				orchestrator: {envFile: '.env', metricsExportDir: 'metrics'},
				agents: {
					trading: {command: fixtureCommand('env.mjs'), enabled: true},
					news: {
						command: fixtureCommand('env.mjs'),
						enabled: true,
						env: {MODEL: 'from-config'},
					},
				},
			}),
		);
		const env = {API_KEY: 'from-systemd'};
		const result = await runCli(
			['--headless', '--once', '--json', '--config', file],
			{env},
		);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(
			/orchestrator\.envFile: .*\.env: API_KEY set in the environment too: the environment's value is used/,
		);
		const logs = path.join(dir, 'metrics', 'logs');
		expect(readFileSync(path.join(logs, 'trading.log'), 'utf8')).toMatch(
			/"API_KEY":"from-systemd","MODEL":"from-file"/,
		);
		// An agent's own env wins over both.
		expect(readFileSync(path.join(logs, 'news.log'), 'utf8')).toMatch(
			/"API_KEY":"from-systemd","MODEL":"from-config"/,
		);
		expect(result.stdout + result.stderr).not.toContain(secret);
		expect(everythingWritten(path.join(dir, 'metrics'))).not.toContain(secret);

		const validated = await runCli(['validate', '--config', file], {env});
		expect(validated.stdout).toMatch(/API_KEY set in the environment too/);
		expect(validated.stdout).not.toContain(secret);
	});

	test('validate names the lines dotenv ignores, and a file that is not UTF-8', async () => {
		const dir = temporaryDirectory();
		writeFileSync(
			path.join(dir, '.env'),
			Buffer.concat([
				Buffer.from(
					`# keys\nAPI_KEY ${secret}\n\nMODEL=small\nNOTE="two\nlines"\nexport REGION=eu\njust words\nNAME=caf`,
				),
				Buffer.from([0xe9, 0x0a]),
			]),
		);
		const file = path.join(dir, 'moondev.json');
		writeFileSync(
			file,
			JSON.stringify({
				orchestrator: {envFile: '.env'},
				agents: {trading: {command: fixtureCommand('env.mjs'), enabled: true}},
			}),
		);
		const result = await runCli(['validate', '--config', file]);
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(
			/warning: orchestrator\.envFile: .*\.env: lines 2, 8 ignored \(not NAME=value\)/,
		);
		expect(result.stdout).toMatch(
			/warning: orchestrator\.envFile: .*\.env is not UTF-8: its values may not be what was meant/,
		);
		expect(result.stdout).not.toContain(secret);
	});
});
