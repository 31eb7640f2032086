import {describe, expect, test} from 'vitest';
import {ConfigError} from '../../source/config/config-error.js';
import {parseCommandLine} from '../../source/cli/parse-command-line.js';

const defaults = {
	config: undefined,
	headless: false,
	json: false,
	once: false,
	agents: undefined,
	maxWorkers: undefined,
	timeout: undefined,
	sleep: undefined,
	metricsDir: undefined,
	demo: false,
	yes: false,
	follow: false,
	listen: undefined,
};

function usageError(argv: string[]): string {
	try {
		parseCommandLine(argv);
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as Error).message;
	}

	throw new Error(`expected a usage error for ${JSON.stringify(argv)}`);
}

describe('parseCommandLine', () => {
	test('no arguments is a run with every flag at its default', () => {
		expect(parseCommandLine([])).toEqual({
			kind: 'run',
			input: [],
			flags: defaults,
		});
	});

	test('every flag is read, numbers kept as strings for their own checks', () => {
		expect(
			parseCommandLine([
				'run',
				'risk',
				'--config',
				'team.json',
				'--headless',
				'--json',
				'--once',
				'--agents=risk,trading',
				'--max-workers',
				'3',
				'--timeout',
				'1.5',
				'--sleep',
				'abc',
				'--metrics-dir',
				'out',
				'--yes',
				'-f',
				'--listen',
				':9100',
			]),
		).toEqual({
			kind: 'run',
			input: ['run', 'risk'],
			flags: {
				config: 'team.json',
				headless: true,
				json: true,
				once: true,
				agents: 'risk,trading',
				maxWorkers: '3',
				timeout: '1.5',
				sleep: 'abc',
				metricsDir: 'out',
				demo: false,
				yes: true,
				follow: true,
				listen: ':9100',
			},
		});
	});

	test('--demo is a flag of its own', () => {
		expect(parseCommandLine(['--demo'])).toEqual({
			kind: 'run',
			input: [],
			flags: {...defaults, demo: true},
		});
	});

	test('--help and -h win over everything else; --version and -v next', () => {
		expect(parseCommandLine(['--help'])).toEqual({kind: 'help'});
		expect(parseCommandLine(['-h', '--demo', 'run'])).toEqual({kind: 'help'});
		expect(parseCommandLine(['-v', '--help'])).toEqual({kind: 'help'});
		expect(parseCommandLine(['--version'])).toEqual({kind: 'version'});
		expect(parseCommandLine(['run', '-v'])).toEqual({kind: 'version'});
	});

	test('after "--" everything is input, flags included', () => {
		expect(parseCommandLine(['--', '--help', '-x'])).toEqual({
			kind: 'run',
			input: ['--help', '-x'],
			flags: defaults,
		});
	});

	test("an unknown flag is a usage error naming it, without Node's advice on positionals", () => {
		expect(usageError(['--max-wrkers', '3'])).toBe(
			"Unknown option '--max-wrkers' (see --help)",
		);
		expect(usageError(['-x'])).toBe("Unknown option '-x' (see --help)");
		expect(usageError(['--maxWorkers=2'])).toBe(
			"Unknown option '--maxWorkers' (see --help)",
		);
	});

	test.each([
		'--config',
		'--agents',
		'--max-workers',
		'--timeout',
		'--sleep',
		'--metrics-dir',
	])('%s without a value is a usage error', flag => {
		expect(usageError([flag])).toBe(
			`Option '${flag} <value>' argument missing (see --help)`,
		);
	});

	test('a value-taking flag followed by another flag is a usage error, not a value', () => {
		const message = usageError(['--config', '--headless']);
		expect(message).toMatch(/^Option '--config' argument is ambiguous/v);
		expect(message).toMatch(/\(see --help\)$/v);
	});

	test('a value starting with a dash can be given with "="', () => {
		expect(parseCommandLine(['--sleep=-1'])).toMatchObject({
			flags: {sleep: '-1'},
		});
	});

	test('a boolean flag given a value is a usage error', () => {
		expect(usageError(['--headless=yes'])).toBe(
			"Option '--headless' does not take an argument (see --help)",
		);
	});
});
