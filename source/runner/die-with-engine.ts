import {accessSync, constants, existsSync, statSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';

/*
Linux can send a process a signal when its parent dies (PR_SET_PDEATHSIG), but only the process
itself can ask for it, between fork and exec, which Node's spawn cannot do. util-linux's `setpriv`
can: it asks, then execs the agent in its place (same pid, same argv for the agent). So an agent
gets SIGTERM the moment a SIGKILLed engine dies, instead of running on until the next engine
ends it. Where setpriv is missing, agents start as before.
*/

const setprivPath = '/usr/bin/setpriv';
let setprivFound: boolean | undefined;

/** Whether agents can be started to die with the engine here. */
function hasSetpriv(): boolean {
	setprivFound ??= process.platform === 'linux' && existsSync(setprivPath);
	return setprivFound;
}

export type Launch =
	| {readonly file: string; readonly args: readonly string[]}
	| {readonly error: 'ENOENT' | 'EACCES'};

/**
How to start `program args` so that it gets SIGTERM when the engine dies. The program is looked up
first (PATH, as execvp would, or relative to `cwd`), so "command not found" and "not executable"
stay ours to say, not setpriv's exit codes 127 and 126, which an agent may use itself.
*/
export function launchDyingWithEngine(
	program: string,
	args: readonly string[],
	options: {
		readonly cwd: string;
		readonly pathVariable: string | undefined;
	},
): Launch {
	if (!hasSetpriv()) {
		return {file: program, args};
	}

	const resolved = resolveProgram(program, options);
	if (typeof resolved !== 'string') {
		return resolved;
	}

	return {
		file: setprivPath,
		args: ['--pdeathsig', 'TERM', '--', resolved, ...args],
	};
}

function resolveProgram(
	program: string,
	options: {
		readonly cwd: string;
		readonly pathVariable: string | undefined;
	},
): string | {readonly error: 'ENOENT' | 'EACCES'} {
	if (program.includes('/')) {
		const file = path.resolve(options.cwd, program);
		return isExecutableFile(file) ?? {error: 'ENOENT'};
	}

	let denied = false;
	// Without PATH, execvp's own default: never the working folder.
	const search = options.pathVariable ?? '/bin:/usr/bin';
	for (const folder of search.split(path.delimiter)) {
		const file = path.resolve(options.cwd, folder || '.', program);
		const found = isExecutableFile(file);
		if (typeof found === 'string') {
			return found;
		}

		denied ||= found?.error === 'EACCES';
	}

	return {error: denied ? 'EACCES' : 'ENOENT'};
}

/** The file if it can be executed; EACCES if it exists and cannot; undefined if there is none. */
function isExecutableFile(
	file: string,
): string | {readonly error: 'EACCES'} | undefined {
	// No throw for a folder of PATH without it: an exception per miss was most of a spawn's lookup.
	let stats;
	try {
		stats = statSync(file, {throwIfNoEntry: false});
	} catch {
		return undefined;
	}

	if (stats === undefined) {
		return undefined;
	}

	if (!stats.isFile()) {
		return {error: 'EACCES'};
	}

	try {
		accessSync(file, constants.X_OK);
		return file;
	} catch {
		return {error: 'EACCES'};
	}
}
