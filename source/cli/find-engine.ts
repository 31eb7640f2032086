import path from 'node:path';
import process from 'node:process';
import {ConfigError} from '../config/config-error.js';
import {findConfigFile} from '../config/find-config.js';
import {loadConfig} from '../config/load-config.js';
import {
	liveEngineOf,
	liveEngineOfConfig,
	liveEngines,
	type LockOwner,
} from '../monitor/engine-lock.js';
import {overridesFromFlags, type RawFlags} from './flags.js';
import {bundledConfigFile} from './paths.js';

/** A running engine and its control socket. */
export type FoundEngine = LockOwner & {readonly socket: string};

/**
The engine a command talks to, found as an engine would find its own place: by `--metrics-dir`,
else by the config file (`--config`, `--demo`, `./.config/moondev.json`), whose lock names the
engine whatever its metrics folder, else by the metrics folder that config names. With none, a
ConfigError (exit 2) that lists this user's running engines and where.
*/
export function findEngine(flags: RawFlags): FoundEngine {
	const cwd = process.cwd();
	let owner: LockOwner | undefined;
	let looked: string;
	if (flags.metricsDir === undefined) {
		const {file} = findConfigFile({
			configFlag: flags.config,
			demo: flags.demo,
			cwd,
			bundledConfigFile: bundledConfigFile(),
		});
		const relative = path.relative(cwd, file);
		looked = relative === '' || relative.startsWith('..') ? file : relative;
		owner = liveEngineOfConfig(file);
		if (!owner) {
			// Another config's engine may own the folder this one names: that is the one trading there.
			try {
				const config = loadConfig({
					configFlag: flags.config,
					demo: flags.demo,
					bundledConfigFile: bundledConfigFile(),
					overrides: overridesFromFlags(flags),
				});
				owner = liveEngineOf(config.orchestrator.metricsExportDir);
			} catch {
				// A config that does not load names no folder; its lock was the way to find it.
			}
		}
	} else {
		const folder = path.resolve(cwd, flags.metricsDir);
		looked = `metrics folder ${flags.metricsDir}`;
		owner = liveEngineOf(folder);
	}

	if (!owner) {
		throw new ConfigError(
			`no moondev-tui engine is running for ${looked}\n${describeLiveEngines()}`,
		);
	}

	if (owner.socket === undefined) {
		throw new ConfigError(
			`the engine of ${looked} (pid ${owner.pid}) has no control socket: it is an older moondev-tui; restart it with this one`,
		);
	}

	return {...owner, socket: owner.socket};
}

/** This user's running engines, one per line, with the flag that reaches each. */
export function describeLiveEngines(): string {
	const engines = liveEngines();
	if (engines.length === 0) {
		return 'no moondev-tui engine of this user is running';
	}

	return [
		'running engines of this user:',
		...engines.map(
			engine =>
				`  pid ${engine.pid}  --config ${engine.config ?? '?'}  (metrics folder ${engine.metricsFolder ?? '?'})`,
		),
	].join('\n');
}
