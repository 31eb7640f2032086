import {parseArgs} from 'node:util';
import {ConfigError} from '../config/config-error.js';
import type {RawFlags} from './flags.js';

export type CommandLine =
	| {readonly kind: 'help'}
	| {readonly kind: 'version'}
	| {
			readonly kind: 'run';
			readonly input: readonly string[];
			readonly flags: RawFlags;
	  };

/**
Reads the command line with Node's own `util.parseArgs`: strict (an unknown flag or a missing
value is a usage error), and free to load, where meow cost a fifth of the start-up (it normalises
package.json through an SPDX licence table on every run).
*/
export function parseCommandLine(argv: readonly string[]): CommandLine {
	let parsed;
	try {
		parsed = parseArgs({
			args: [...argv],
			strict: true,
			allowPositionals: true,
			options: {
				config: {type: 'string'},
				headless: {type: 'boolean'},
				json: {type: 'boolean'},
				once: {type: 'boolean'},
				agents: {type: 'string'},
				'max-workers': {type: 'string'},
				timeout: {type: 'string'},
				sleep: {type: 'string'},
				'metrics-dir': {type: 'string'},
				demo: {type: 'boolean'},
				yes: {type: 'boolean', short: 'y'},
				follow: {type: 'boolean', short: 'f'},
				listen: {type: 'string'},
				redis: {type: 'string'},
				tags: {type: 'string'},
				concurrency: {type: 'string'},
				help: {type: 'boolean', short: 'h'},
				version: {type: 'boolean', short: 'v'},
			},
		});
	} catch (error) {
		// "Unknown option '--max-wrkers'. To specify a positional argument starting with a '-', …"
		const message = (error as Error).message.replace(
			/\. To specify a positional.*$/sv,
			'',
		);
		throw new ConfigError(`${message} (see --help)`);
	}

	const {values, positionals} = parsed;
	if (values.help) {
		return {kind: 'help'};
	}

	if (values.version) {
		return {kind: 'version'};
	}

	return {
		kind: 'run',
		input: positionals,
		flags: {
			config: values.config,
			headless: values.headless ?? false,
			json: values.json ?? false,
			once: values.once ?? false,
			agents: values.agents,
			maxWorkers: values['max-workers'],
			timeout: values.timeout,
			sleep: values.sleep,
			metricsDir: values['metrics-dir'],
			demo: values.demo ?? false,
			yes: values.yes ?? false,
			follow: values.follow ?? false,
			listen: values.listen,
			redis: values.redis,
			tags: values.tags,
			concurrency: values.concurrency,
		},
	};
}
