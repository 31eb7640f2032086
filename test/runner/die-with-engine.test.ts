import {
	accessSync,
	constants,
	existsSync,
	mkdirSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {launchDyingWithEngine} from '../../source/runner/die-with-engine.js';
import {temporaryDirectory} from '../helpers/index.js';

const setpriv = '/usr/bin/setpriv';
const hasSetpriv = process.platform === 'linux' && existsSync(setpriv);

/** Writes a file (executable unless told), making its folder; returns its path. */
function put(file: string, mode = 0o755): string {
	mkdirSync(path.dirname(file), {recursive: true});
	writeFileSync(file, '#!/bin/sh\nexit 0\n', {mode});
	return file;
}

const viaSetpriv = (resolved: string, ...args: string[]) => ({
	file: setpriv,
	args: ['--pdeathsig', 'TERM', '--', resolved, ...args],
});

test.skipIf(hasSetpriv)('without setpriv the program starts as it is', () => {
	expect(
		launchDyingWithEngine('python', ['a.py'], {
			cwd: temporaryDirectory(),
			pathVariable: undefined,
		}),
	).toEqual({file: 'python', args: ['a.py']});
});

describe.runIf(hasSetpriv)('with setpriv', () => {
	test('a bare name is looked up on PATH and started under setpriv with its args as they are', () => {
		const root = temporaryDirectory();
		const empty = path.join(root, 'empty');
		mkdirSync(empty);
		const agent = put(path.join(root, 'bin', 'agent'));
		const args = ['--', '-x', '', 'two words', '$HOME'];
		expect(
			launchDyingWithEngine('agent', args, {
				cwd: root,
				pathVariable: [empty, path.join(root, 'bin')].join(path.delimiter),
			}),
		).toEqual(viaSetpriv(agent, ...args));
	});

	test('the first folder on PATH with an executable wins', () => {
		const root = temporaryDirectory();
		const first = put(path.join(root, 'a', 'agent'));
		put(path.join(root, 'b', 'agent'));
		expect(
			launchDyingWithEngine('agent', [], {
				cwd: root,
				pathVariable: `${path.join(root, 'a')}:${path.join(root, 'b')}`,
			}),
		).toEqual(viaSetpriv(first));
	});

	test('a non-executable file or a folder on PATH is passed over for a later executable', () => {
		const root = temporaryDirectory();
		put(path.join(root, 'a', 'agent'), 0o644);
		mkdirSync(path.join(root, 'b', 'agent'), {recursive: true});
		const found = put(path.join(root, 'c', 'agent'));
		expect(
			launchDyingWithEngine('agent', [], {
				cwd: root,
				pathVariable: ['a', 'b', 'c']
					.map(folder => path.join(root, folder))
					.join(':'),
			}),
		).toEqual(viaSetpriv(found));
	});

	test('only a non-executable file on PATH is EACCES, not "not found"', () => {
		const root = temporaryDirectory();
		put(path.join(root, 'a', 'agent'), 0o644);
		expect(
			launchDyingWithEngine('agent', [], {
				cwd: root,
				pathVariable: `${path.join(root, 'empty')}:${path.join(root, 'a')}`,
			}),
		).toEqual({error: 'EACCES'});
	});

	test('only a folder of that name on PATH is EACCES', () => {
		const root = temporaryDirectory();
		mkdirSync(path.join(root, 'a', 'agent'), {recursive: true});
		expect(
			launchDyingWithEngine('agent', [], {
				cwd: root,
				pathVariable: path.join(root, 'a'),
			}),
		).toEqual({error: 'EACCES'});
	});

	test('a name found nowhere on PATH is ENOENT', () => {
		const root = temporaryDirectory();
		expect(
			launchDyingWithEngine('no-such-agent-anywhere', [], {
				cwd: root,
				pathVariable: `${root}:/nonexistent/folder`,
			}),
		).toEqual({error: 'ENOENT'});
	});

	test('an empty PATH entry means the working folder, as execvp reads it', () => {
		const root = temporaryDirectory();
		const agent = put(path.join(root, 'agent'));
		expect(
			launchDyingWithEngine('agent', [], {
				cwd: root,
				pathVariable: `/nonexistent/folder:`,
			}),
		).toEqual(viaSetpriv(agent));
	});

	test('node is found on this PATH as an executable file', () => {
		const launch = launchDyingWithEngine('node', ['-v'], {
			cwd: temporaryDirectory(),
			pathVariable: process.env.PATH,
		});
		if ('error' in launch) {
			throw new Error(`node not found on PATH: ${launch.error}`);
		}

		expect(launch.file).toBe(setpriv);
		const {args} = launch;
		expect(args.slice(0, 3)).toEqual(['--pdeathsig', 'TERM', '--']);
		expect(path.isAbsolute(args[3]!)).toBe(true);
		expect(path.basename(args[3]!)).toBe('node');
		expect(() => {
			accessSync(args[3]!, constants.X_OK);
		}).not.toThrow();
		expect(args.slice(4)).toEqual(['-v']);
	});

	test('a program with a "/" is taken relative to the working folder, never looked up on PATH', () => {
		const root = temporaryDirectory();
		const agent = put(path.join(root, 'agents', 'risk'));
		const onPath = temporaryDirectory();
		put(path.join(onPath, 'agents', 'trading'));
		const options = {cwd: root, pathVariable: onPath};
		expect(launchDyingWithEngine('./agents/risk', ['1'], options)).toEqual(
			viaSetpriv(agent, '1'),
		);
		expect(launchDyingWithEngine('agents/risk', [], options)).toEqual(
			viaSetpriv(agent),
		);
		expect(launchDyingWithEngine('agents/../agents/risk', [], options)).toEqual(
			viaSetpriv(agent),
		);
		expect(launchDyingWithEngine('agents/trading', [], options)).toEqual({
			error: 'ENOENT',
		});
	});

	test('an absolute program is used as it is', () => {
		const agent = put(path.join(temporaryDirectory(), 'agent'));
		expect(
			launchDyingWithEngine(agent, [], {
				cwd: temporaryDirectory(),
				pathVariable: undefined,
			}),
		).toEqual(viaSetpriv(agent));
	});

	test('a program path that is a folder or not executable is EACCES; a missing one ENOENT', () => {
		const root = temporaryDirectory();
		mkdirSync(path.join(root, 'folder'));
		put(path.join(root, 'plain.py'), 0o644);
		const options = {cwd: root, pathVariable: undefined};
		expect(launchDyingWithEngine('./folder', [], options)).toEqual({
			error: 'EACCES',
		});
		expect(launchDyingWithEngine('./plain.py', [], options)).toEqual({
			error: 'EACCES',
		});
		expect(launchDyingWithEngine('./missing', [], options)).toEqual({
			error: 'ENOENT',
		});
		expect(launchDyingWithEngine('/nonexistent/agent', [], options)).toEqual({
			error: 'ENOENT',
		});
	});

	// Found by this test and fixed: without PATH, execvp's default (/bin:/usr/bin), never the working folder.
	test('with PATH unset a bare name is not taken from the working folder', () => {
		const root = temporaryDirectory();
		put(path.join(root, 'agent'));
		expect(
			launchDyingWithEngine('agent', [], {
				cwd: root,
				pathVariable: undefined,
			}),
		).toEqual({error: 'ENOENT'});
	});
});
