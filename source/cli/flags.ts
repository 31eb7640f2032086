import {ConfigError} from '../config/config-error.js';
import type {ConfigOverrides} from '../config/load-config.js';

/** The flags as read: numbers stay strings so that mistakes get our message. */
export type RawFlags = {
	readonly config?: string | undefined;
	readonly headless: boolean;
	readonly json: boolean;
	readonly once: boolean;
	readonly agents?: string | undefined;
	readonly maxWorkers?: string | undefined;
	readonly timeout?: string | undefined;
	readonly sleep?: string | undefined;
	readonly metricsDir?: string | undefined;
	readonly demo: boolean;
	/** Confirms turning off a critical agent (`disable`). */
	readonly yes: boolean;
	/** `logs -f`: follow as tail -f does. */
	readonly follow: boolean;
	/** `--listen host:port`: serve /metrics and /healthz. */
	readonly listen?: string | undefined;
	/** `worker`: the Redis URL (a secret), its tags, how many attempts at once. */
	readonly redis?: string | undefined;
	readonly tags?: string | undefined;
	readonly concurrency?: string | undefined;
};

/** The command-line overrides of the config, checked: a bad value is a ConfigError naming the flag. */
export function overridesFromFlags(flags: RawFlags): ConfigOverrides {
	return {
		agents:
			flags.agents === undefined ? undefined : parseAgentList(flags.agents),
		maxWorkers: parseNumber(
			flags.maxWorkers,
			'--max-workers',
			'a whole number >= 1',
			value => Number.isInteger(value) && value >= 1,
		),
		timeoutPerAgent: parseNumber(
			flags.timeout,
			'--timeout',
			'a positive number of seconds, at most 2147483',
			value => value > 0 && value <= 2_147_483,
		),
		sleepBetweenRunsMinutes: parseNumber(
			flags.sleep,
			'--sleep',
			'a number of minutes >= 0',
			value => value >= 0,
		),
		metricsExportDir:
			flags.metricsDir === undefined
				? undefined
				: nonEmpty(flags.metricsDir, '--metrics-dir'),
	};
}

function parseAgentList(text: string): string[] {
	const names = text
		.split(',')
		.map(name => name.trim())
		.filter(Boolean);
	if (names.length === 0) {
		throw new ConfigError(
			`--agents: expected a comma-separated list of agents, got "${text}"`,
		);
	}

	return names;
}

function parseNumber(
	text: string | undefined,
	flag: string,
	expected: string,
	isValid: (value: number) => boolean,
): number | undefined {
	if (text === undefined) {
		return undefined;
	}

	const value = Number(text);
	if (text.trim() === '' || !Number.isFinite(value) || !isValid(value)) {
		throw new ConfigError(`${flag}: expected ${expected}, got "${text}"`);
	}

	return value;
}

function nonEmpty(text: string, flag: string): string {
	if (text.trim() === '') {
		throw new ConfigError(`${flag}: expected a folder, got ""`);
	}

	return text;
}
