import {readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {execa} from 'execa';
import {describe, expect, test} from 'vitest';
import {repoRoot, temporaryDirectory, waitFor} from '../helpers/index.js';

/**
Runs `body` in a process of its own under superviseProcess, with `log(line)` appending to a file
the test reads: signals and crashes are about the whole process, so they are tried on a real one.
*/
function supervised(body: string) {
	const log = path.join(temporaryDirectory(), 'log.txt');
	const script = String.raw`
		import {appendFileSync} from 'node:fs';
		import {superviseProcess} from ${JSON.stringify(path.join(repoRoot, 'source/cli/process-lifecycle.ts'))};
		const log = line => appendFileSync(${JSON.stringify(log)}, line + '\n');
		const lifecycle = superviseProcess({crashDeadlineMs: 2000, report: text => log('report ' + text.split('\n')[0])});
		${body}
	`;
	const child = execa(
		process.execPath,
		['--import', 'tsx', '--input-type=module', '-e', script],
		{reject: false, cwd: repoRoot},
	);
	const lines = () => {
		try {
			return readFileSync(log, 'utf8').split('\n').filter(Boolean);
		} catch {
			return [];
		}
	};

	return {child, lines};
}

describe('the process lifecycle', () => {
	test('a crash: the terminal first, then the clean-up, then the last words, exit 1', async () => {
		const {child, lines} = supervised(`
			lifecycle.beforeCrashReport(() => log('restore terminal'));
			lifecycle.onCrash(async error => { log('clean up after ' + error.message); });
			lifecycle.atExit(() => log('last words'));
			log('ready');
			setTimeout(() => { throw new Error('boom'); }, 10);
			setTimeout(() => {}, 60_000);
		`);
		const result = await child;
		expect(result.exitCode).toBe(1);
		expect(lines()).toEqual([
			'ready',
			'restore terminal',
			'report moondev-tui: Error: boom',
			'clean up after boom',
			'last words',
		]);
	});

	test('a clean-up that hangs does not keep a crashed process alive past the deadline', async () => {
		const {child, lines} = supervised(`
			lifecycle.onCrash(() => new Promise(() => {}));
			lifecycle.atExit(() => log('last words'));
			Promise.reject(new Error('unhandled'));
			setTimeout(() => {}, 60_000);
		`);
		const result = await child;
		expect(result.exitCode).toBe(1);
		expect(lines()).toEqual([
			'report moondev-tui: Error: unhandled',
			'last words',
		]);
	});

	test('a stop asked before anyone listens is passed on when someone does', async () => {
		const {child, lines} = supervised(`
			lifecycle.requestStop('SIGTERM');
			lifecycle.onStop(() => { log('stop ' + lifecycle.exitCode()); process.exitCode = lifecycle.exitCode(); lifecycle.dispose(); });
		`);
		const result = await child;
		expect(result.exitCode).toBe(143);
		expect(lines()).toEqual(['stop 143']);
	});

	test('one request to stop, an echo ignored, a second request exits at once', async () => {
		const {child, lines} = supervised(`
			lifecycle.onStop(() => log('stop'));
			lifecycle.atExit(() => log('last words'));
			log('ready');
			setTimeout(() => {}, 60_000);
		`);
		await waitFor(() => lines().includes('ready'), 10_000, 'the child');
		child.kill('SIGHUP');
		child.kill('SIGHUP');
		await waitFor(() => lines().includes('stop'), 10_000, 'the stop');
		// Time for the echo to land: had it counted as a second signal, the process would exit now.
		await new Promise(resolve => {
			setTimeout(resolve, 300);
		});
		// The echo did nothing: still running, one stop, no last words.
		expect(child.exitCode).toBeNull();
		expect(lines()).toEqual(['ready', 'stop']);
		// Another signal is a person asking again: now, with the first one's exit code.
		child.kill('SIGINT');
		const result = await child;
		expect(result.exitCode).toBe(129);
		expect(lines()).toEqual(['ready', 'stop', 'last words']);
	});

	test('while the terminal is lent to a pager, its keys’ signals stop nothing; given back, they stop again', async () => {
		const {child, lines} = supervised(`
			const ticking = setInterval(() => log('tick'), 50);
			lifecycle.onStop(() => { log('stop ' + lifecycle.exitCode()); process.exitCode = lifecycle.exitCode(); clearInterval(ticking); lifecycle.dispose(); });
			lifecycle.lendTerminal(true);
			// Listeners of the test's own, beside the lifecycle's: each signal seen, whatever it did.
			for (const signal of ['SIGINT', 'SIGQUIT']) process.on(signal, () => log('saw ' + signal));
			process.on('SIGCONT', () => { lifecycle.lendTerminal(false); log('given back'); });
			log('lent');
		`);
		const said = () =>
			lines().filter(line => line !== 'tick' && !line.startsWith('saw '));
		const ticks = () => lines().filter(line => line === 'tick').length;
		await waitFor(() => lines().includes('lent'), 10_000, 'the child');
		child.kill('SIGINT');
		child.kill('SIGQUIT');
		// Ctrl-Z's signal freezes a process that has no handler for it: the ticks would stop.
		child.kill('SIGTSTP');
		await waitFor(
			() => lines().filter(line => line.startsWith('saw ')).length === 2,
			10_000,
			'the two signals',
		);
		const before = ticks();
		await waitFor(() => ticks() >= before + 3, 10_000, 'ticks after SIGTSTP');
		expect(said()).toEqual(['lent']);
		child.kill('SIGCONT');
		await waitFor(() => said().includes('given back'), 10_000, 'the give-back');
		expect(child.exitCode).toBeNull();
		child.kill('SIGINT');
		const result = await child;
		expect(said()).toEqual(['lent', 'given back', 'stop 130']);
		expect(result.exitCode).toBe(130);
	});
});
