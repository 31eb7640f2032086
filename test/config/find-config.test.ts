import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {ConfigError} from '../../source/config/config-error.js';
import {
	baseDirOf,
	demoFolder,
	findConfigFile,
	NoConfigError,
} from '../../source/config/find-config.js';
import {temporaryDirectory} from '../helpers/index.js';

const bundledConfigFile = '/package/.config/moondev.demo.json';

function projectWithLocalConfig(): {cwd: string; local: string} {
	const cwd = temporaryDirectory();
	mkdirSync(path.join(cwd, '.config'));
	const local = path.join(cwd, '.config', 'moondev.json');
	writeFileSync(local, '{}');
	return {cwd, local};
}

describe('findConfigFile', () => {
	test('--demo is the bundled config, even where a local config exists', () => {
		const {cwd} = projectWithLocalConfig();
		expect(findConfigFile({demo: true, cwd, bundledConfigFile})).toEqual({
			file: bundledConfigFile,
			isBundledDemo: true,
		});
	});

	test('--demo with --config is a usage error', () => {
		const cwd = temporaryDirectory();
		expect(() =>
			findConfigFile({
				demo: true,
				configFlag: 'x.json',
				cwd,
				bundledConfigFile,
			}),
		).toThrow(
			new ConfigError(
				'--demo runs the bundled demo config: leave out --config, or --demo',
			),
		);
	});

	test('--config resolves against the current folder and wins over the local config', () => {
		const {cwd} = projectWithLocalConfig();
		mkdirSync(path.join(cwd, 'elsewhere'));
		writeFileSync(path.join(cwd, 'elsewhere', 'team.json'), '{}');
		expect(
			findConfigFile({
				configFlag: 'elsewhere/team.json',
				cwd,
				bundledConfigFile,
			}),
		).toEqual({
			file: path.join(cwd, 'elsewhere', 'team.json'),
			isBundledDemo: false,
		});
	});

	test('an absolute --config is used as it is', () => {
		const dir = temporaryDirectory();
		const file = path.join(dir, 'a.json');
		writeFileSync(file, '{}');
		expect(
			findConfigFile({
				configFlag: file,
				cwd: temporaryDirectory(),
				bundledConfigFile,
			}),
		).toEqual({file, isBundledDemo: false});
	});

	test('a --config that does not exist is an error naming it as typed', () => {
		const cwd = temporaryDirectory();
		let thrown: unknown;
		try {
			findConfigFile({configFlag: 'missing.json', cwd, bundledConfigFile});
		} catch (error) {
			thrown = error;
		}

		expect(thrown).toBeInstanceOf(ConfigError);
		expect(thrown).not.toBeInstanceOf(NoConfigError);
		expect((thrown as Error).message).toBe(
			'--config: file not found: missing.json',
		);
	});

	test('without flags, ./.config/moondev.json is read', () => {
		const {cwd, local} = projectWithLocalConfig();
		expect(findConfigFile({cwd, bundledConfigFile})).toEqual({
			file: local,
			isBundledDemo: false,
		});
	});

	test('with no config at all, a NoConfigError says where it looked and how to start', () => {
		const cwd = temporaryDirectory();
		let thrown: unknown;
		try {
			findConfigFile({cwd, bundledConfigFile});
		} catch (error) {
			thrown = error;
		}

		expect(thrown).toBeInstanceOf(NoConfigError);
		expect(thrown).toBeInstanceOf(ConfigError);
		expect((thrown as Error).name).toBe('NoConfigError');
		const {message} = thrown as Error;
		expect(message).toContain(
			`no config found: looked for ${path.join(cwd, '.config', 'moondev.json')}`,
		);
		expect(message).toContain('moondev-tui init');
		expect(message).toContain('--config <file>');
		expect(message).toContain('--demo');
	});

	test('a moondev.json in the current folder itself is not picked up', () => {
		const cwd = temporaryDirectory();
		writeFileSync(path.join(cwd, 'moondev.json'), '{}');
		expect(() => findConfigFile({cwd, bundledConfigFile})).toThrow(
			NoConfigError,
		);
	});
});

describe('baseDirOf', () => {
	test('a config in a .config folder resolves against the project folder', () => {
		expect(baseDirOf('/home/me/project/.config/moondev.json')).toBe(
			'/home/me/project',
		);
	});

	test('any other config resolves against its own folder', () => {
		expect(baseDirOf('/home/me/project/moondev.json')).toBe('/home/me/project');
		expect(baseDirOf('/home/me/configs/team.json')).toBe('/home/me/configs');
		expect(baseDirOf('/home/me/my.config/team.json')).toBe(
			'/home/me/my.config',
		);
	});
});

test('the demo writes below the current folder', () => {
	expect(path.isAbsolute(demoFolder)).toBe(false);
	expect(demoFolder).toBe(path.join('data', 'moondev-demo'));
});
