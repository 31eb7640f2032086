import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {splitCommand} from '../config/split-command.js';
import type {ViewState} from '../ui/key-map.js';
import type {Lifecycle} from './process-lifecycle.js';

/**
The pager a log opens in: `$PAGER` split as a shell would split it (never run through a shell),
else `less` from the end, where the newest lines are, as in the log view.
*/
export function pagerCommand(environment: NodeJS.ProcessEnv): string[] {
	const chosen = environment['PAGER']?.trim();
	if (chosen) {
		const split = splitCommand(chosen);
		if ('argv' in split && split.argv.length > 0) {
			return split.argv;
		}
	}

	return ['less', '+G'];
}

/**
Shows a file in the pager, which has the terminal until it exits. Resolves to a word for the
screen when it could not show it (no file yet, no such pager, it failed), else undefined. An abort
(the engine stopping meanwhile) ends the pager.
*/
export async function showInPager(
	file: string,
	options: {
		readonly environment?: NodeJS.ProcessEnv;
		readonly signal?: AbortSignal;
	} = {},
): Promise<string | undefined> {
	if (!fs.existsSync(file)) {
		return 'no log file yet: the agent has printed nothing';
	}

	const [program = 'less', ...words] = pagerCommand(
		options.environment ?? process.env,
	);
	return new Promise(resolve => {
		const child = spawn(program, [...words, file], {
			stdio: 'inherit',
			...(options.signal ? {signal: options.signal} : {}),
		});
		child.once('error', (error: NodeJS.ErrnoException) => {
			if (error.name === 'AbortError') {
				return;
			}

			resolve(
				error.code === 'ENOENT'
					? `no pager "${program}": set $PAGER`
					: `the pager "${program}" failed: ${error.code ?? error.message}`,
			);
		});
		// Ctrl-Z suspends the pager itself, as under a shell, and nothing here could bring it back
		// (no job control): it is woken at once, so the key does nothing.
		const wake = () => {
			setTimeout(() => {
				child.kill('SIGCONT');
			}, 100).unref();
		};

		process.on('SIGTSTP', wake);
		child.once('close', () => {
			process.off('SIGTSTP', wake);
		});
		child.once('exit', (code, signal) => {
			resolve(
				code === 0 || signal === 'SIGTERM'
					? undefined
					: `the pager "${program}" ended with ${signal ?? `exit ${code ?? '?'}`}`,
			);
		});
	});
}

/**
An agent's log file in the pager, while the engine goes on; back to the view it was opened from,
with a word when it could not be shown.
*/
export async function pageLog(
	folder: string,
	agent: string,
	{
		lifecycle,
		signal,
		view,
		environment,
	}: {
		readonly lifecycle: Pick<Lifecycle, 'lendTerminal'>;
		readonly signal: AbortSignal;
		readonly view: ViewState;
		/** Where `$PAGER` is read. @default process.env */
		readonly environment?: NodeJS.ProcessEnv;
	},
): Promise<ViewState> {
	lifecycle.lendTerminal(true);
	try {
		const notice = await showInPager(path.join(folder, `${agent}.log`), {
			signal,
			...(environment ? {environment} : {}),
		});
		return {...view, notice};
	} finally {
		lifecycle.lendTerminal(false);
	}
}
