import {existsSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {ConfigError} from './config-error.js';

/* Which config file a run reads, and the folders it resolves against. */

/**
No config was found and none was named: a service must never trade the demo by mistake, so this
is an error that says where moondev-tui looked and how to start. The TUI offers the demo instead.
*/
export class NoConfigError extends ConfigError {
	override readonly name = 'NoConfigError';
}

/** Which file to read: `--demo`'s, `--config`, else `./.config/moondev.json`; none is a NoConfigError. */
export function findConfigFile(options: {
	/** `--config`, if given. */
	readonly configFlag?: string | undefined;
	/** `--demo`. */
	readonly demo?: boolean | undefined;
	readonly cwd?: string | undefined;
	/** The demo config shipped in the package. */
	readonly bundledConfigFile: string;
}): {file: string; isBundledDemo: boolean} {
	const cwd = options.cwd ?? process.cwd();
	if (options.demo) {
		if (options.configFlag !== undefined) {
			throw new ConfigError(
				'--demo runs the bundled demo config: leave out --config, or --demo',
			);
		}

		return {file: options.bundledConfigFile, isBundledDemo: true};
	}

	if (options.configFlag !== undefined) {
		const file = path.resolve(cwd, options.configFlag);
		if (!existsSync(file)) {
			throw new ConfigError(`--config: file not found: ${options.configFlag}`);
		}

		return {file, isBundledDemo: false};
	}

	const local = path.join(cwd, '.config', 'moondev.json');
	if (existsSync(local)) {
		return {file: local, isBundledDemo: false};
	}

	throw new NoConfigError(
		[
			`no config found: looked for ${local}`,
			'  moondev-tui init            write a starter .config/moondev.json here, then edit it',
			'  moondev-tui --config <file> run the agents of a config elsewhere',
			'  moondev-tui --demo          run the bundled demo agents (paper trading on sample data)',
		].join('\n'),
	);
}

/** Where the bundled demo writes (its metrics, logs and the agents' files), below the current folder. */
export const demoFolder = path.join('data', 'moondev-demo');

/**
The folder relative paths resolve against: the config file's folder, or the project folder for a
config kept in a `.config/` folder (the owner's layout), so `agents/risk.js` in
`./.config/moondev.json` means `./agents/risk.js`.
*/
export function baseDirOf(file: string): string {
	const folder = path.dirname(file);
	return path.basename(folder) === '.config' ? path.dirname(folder) : folder;
}
