import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, onTestFinished, test} from 'vitest';
import {pageLog, pagerCommand, showInPager} from '../../source/cli/pager.js';
import {initialView} from '../../source/ui/key-map.js';
import {temporaryDirectory, waitFor} from '../helpers/index.js';

function logFolder(): string {
	const folder = temporaryDirectory();
	writeFileSync(path.join(folder, 'risk.log'), 'VaR 95% 4.59%\n');
	return folder;
}

/** A pager of our own: a shell script that does `body` with the file it is given as $1. */
function pagerScript(body: string): string {
	const file = path.join(temporaryDirectory(), 'pager.sh');
	writeFileSync(file, `#!/bin/sh\n${body}\n`);
	chmodSync(file, 0o755);
	return file;
}

describe('the pager', () => {
	test('is $PAGER split as a shell would (never run through one), else less from the end', () => {
		expect(pagerCommand({})).toEqual(['less', '+G']);
		expect(pagerCommand({PAGER: '  '})).toEqual(['less', '+G']);
		expect(pagerCommand({PAGER: 'less -R'})).toEqual(['less', '-R']);
		expect(pagerCommand({PAGER: '"/opt/my pager" --x'})).toEqual([
			'/opt/my pager',
			'--x',
		]);
		// A pipe means nothing without a shell: the default rather than a half-read command.
		expect(pagerCommand({PAGER: 'cat | less'})).toEqual(['less', '+G']);
	});

	test('gets the agent’s log file as its last word; back to the view it was opened from, the terminal given back', async () => {
		const folder = logFolder();
		const copy = path.join(temporaryDirectory(), 'copy.log');
		const lent: boolean[] = [];
		const view = await pageLog(folder, 'risk', {
			lifecycle: {
				lendTerminal(isLent) {
					lent.push(isLent);
				},
			},
			signal: new AbortController().signal,
			view: {...initialView, mode: 'log', timestamps: true},
			environment: {
				PAGER: `${pagerScript(`[ "$1" = --flag ] && cp "$2" ${copy}`)} --flag`,
			},
		});
		expect(readFileSync(copy, 'utf8')).toBe('VaR 95% 4.59%\n');
		expect(view).toEqual({
			...initialView,
			mode: 'log',
			timestamps: true,
			notice: undefined,
		});
		expect(lent).toEqual([true, false]);
	});

	test('says why when it cannot show the log: none yet, no such pager, the pager failed', async () => {
		const folder = logFolder();
		const file = path.join(folder, 'risk.log');
		expect(await showInPager(path.join(folder, 'news.log'))).toBe(
			'no log file yet: the agent has printed nothing',
		);
		expect(
			await showInPager(file, {
				environment: {PAGER: 'no-such-pager-for-moondev'},
			}),
		).toBe('no pager "no-such-pager-for-moondev": set $PAGER');
		expect(
			await showInPager(file, {environment: {PAGER: pagerScript('exit 3')}}),
		).toMatch(/ended with exit 3$/);
	});

	test('an abort (the engine stopping) ends the pager', async () => {
		const folder = logFolder();
		const controller = new AbortController();
		const shown = showInPager(path.join(folder, 'risk.log'), {
			environment: {PAGER: pagerScript('exec sleep 60')},
			signal: controller.signal,
		});
		controller.abort();
		expect(await shown).toBeUndefined();
	});

	test('Ctrl-Z (SIGTSTP to the engine) while the pager suspended itself wakes it: the key does nothing', async () => {
		const folder = logFolder();
		const marks = temporaryDirectory();
		// A pager that suspends itself, as less does on Ctrl-Z, and says when it is woken.
		const pager = pagerScript(
			`echo $$ > ${marks}/pid; kill -STOP $$; echo woke > ${marks}/woke`,
		);
		const shown = showInPager(path.join(folder, 'risk.log'), {
			environment: {PAGER: pager},
		});
		const stopped = () => {
			try {
				const pid = readFileSync(path.join(marks, 'pid'), 'utf8').trim();
				// The state follows the command's name in parentheses: T is stopped.
				return readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') T ');
			} catch {
				return false;
			}
		};

		// The test's process must never be stopped by its own signal, whatever the code under test does;
		// and a pager left suspended by a failure is ended.
		const keepRunning = () => undefined;
		process.on('SIGTSTP', keepRunning);
		onTestFinished(() => {
			process.off('SIGTSTP', keepRunning);
			try {
				process.kill(
					Number(readFileSync(path.join(marks, 'pid'), 'utf8')),
					'SIGKILL',
				);
			} catch {
				// Gone, as it should be.
			}
		});
		await waitFor(stopped, 10_000, 'the pager to suspend itself');
		process.kill(process.pid, 'SIGTSTP');
		expect(await shown).toBeUndefined();
		expect(readFileSync(path.join(marks, 'woke'), 'utf8')).toBe('woke\n');
	});
});
