import path from 'node:path';
import process from 'node:process';
import {configError, ConfigError} from './config-error.js';
import {resolveNotifyTargets} from './resolve-notify.js';
import {resolveWorkers} from './resolve-workers.js';
import {readEnvFileContents, unpassableVariable} from './env-file.js';
import {baseDirOf, demoFolder, findConfigFile} from './find-config.js';
import {formatIssues, unknownAgent} from './format-issues.js';
import {
	describeFsError,
	readBoundedFile,
	readConfigJson,
} from './read-config-file.js';
import {
	checkDependencyOrder,
	checkRiskFirst,
	defaultPhases,
	resolveCustomPhases,
} from './resolve-phases.js';
import type {
	AgentWindow,
	ResolvedAgent,
	ResolvedConfig,
	ResolvedOrchestrator,
} from './resolved-config.js';
import {
	agentSchema,
	type AgentConfig,
	type ConfigFile,
	configSchema,
	orchestratorSchema,
	phaseSchema,
	reservedAgentName,
	reservedNameMessage,
} from './schema.js';
import {resolveSchedule} from './schedule.js';
import {splitCommand} from './split-command.js';

/*
Reads, validates and resolves a config: found (find-config.ts), read within bounds
(read-config-file.ts), checked against the schema, its agents resolved here (commands, env, paths,
windows), its phases by resolve-phases.ts. One piece past 300 lines because resolving an agent is
one pass over one context (the base folders, the env files read so far, the warnings gathered):
split further, each part would take that whole context as arguments.
*/

export {
	baseDirOf,
	demoFolder,
	findConfigFile,
	NoConfigError,
} from './find-config.js';

/** Command-line settings that win over the file's (contract §2). */
export type ConfigOverrides = {
	/** `--agents`: enable exactly these for this run. */
	readonly agents?: readonly string[] | undefined;
	readonly maxWorkers?: number | undefined;
	readonly timeoutPerAgent?: number | undefined;
	readonly sleepBetweenRunsMinutes?: number | undefined;
	/** Relative to the current folder, as paths typed on a command line are. */
	readonly metricsExportDir?: string | undefined;
};

export type LoadConfigOptions = {
	/** `--config`; without it, `./.config/moondev.json`. */
	readonly configFlag?: string | undefined;
	/** `--demo`: the bundled demo config, writing under `data/moondev-demo`. */
	readonly demo?: boolean | undefined;
	readonly cwd?: string;
	readonly bundledConfigFile: string;
	readonly overrides?: ConfigOverrides | undefined;
	/**
	Leave the notify targets unresolved (none): for commands that send nothing (`logs`), which
	must work in a shell without the service's webhook variables.
	*/
	readonly withoutNotify?: boolean | undefined;
};

/** Reads, validates and resolves a config; every mistake is a ConfigError naming file and key. */
export function loadConfig(options: LoadConfigOptions): ResolvedConfig {
	const cwd = options.cwd ?? process.cwd();
	const {file, isBundledDemo} = findConfigFile(options);
	return parseConfig(readConfigJson(file, displayPath(file, cwd)), {
		file,
		isBundledDemo,
		cwd,
		overrides: options.overrides,
		withoutNotify: options.withoutNotify,
	});
}

/** Validates and resolves config data as if read from `file`. */
export function parseConfig(
	raw: unknown,
	options: {
		readonly file: string;
		readonly cwd?: string | undefined;
		readonly isBundledDemo?: boolean | undefined;
		readonly overrides?: ConfigOverrides | undefined;
		readonly withoutNotify?: boolean | undefined;
	},
): ResolvedConfig {
	const cwd = options.cwd ?? process.cwd();
	const file = path.resolve(cwd, options.file);
	const displayName = displayPath(file, cwd);
	// A key JSON.parse keeps but any object would swallow: caught before it can vanish.
	const agents = (raw as {agents?: unknown} | undefined)?.agents;
	if (
		typeof agents === 'object' &&
		agents !== null &&
		Object.hasOwn(agents, reservedAgentName)
	) {
		throw new ConfigError(
			`${displayName}: agents.${reservedAgentName}: ${reservedNameMessage}`,
		);
	}

	const parsed = configSchema.safeParse(raw);
	if (!parsed.success) {
		const lines = formatIssues(parsed.error.issues, knownKeysAt).map(
			({keyPath, message}) =>
				keyPath
					? `${displayName}: ${keyPath}: ${message}`
					: `${displayName}: ${message}`,
		);
		throw new ConfigError(lines.join('\n'));
	}

	return resolveConfig(parsed.data, {
		file,
		displayName,
		isBundledDemo: options.isBundledDemo ?? false,
		cwd,
		overrides: options.overrides ?? {},
		withoutNotify: options.withoutNotify ?? false,
	});
}

type ResolveContext = {
	readonly file: string;
	readonly displayName: string;
	readonly isBundledDemo: boolean;
	readonly cwd: string;
	readonly overrides: ConfigOverrides;
	readonly withoutNotify: boolean;
};

function resolveConfig(
	config: ConfigFile,
	context: ResolveContext,
): ResolvedConfig {
	const {displayName, overrides} = context;
	const baseDir = baseDirOf(context.file);
	// The installed package may be read-only: the demo writes below the current folder instead.
	// The installed package may be read-only, and the demo must never write where a real config does.
	const writeBaseDir = context.isBundledDemo
		? path.join(context.cwd, demoFolder)
		: baseDir;
	const fail = (keyPath: string, message: string) =>
		configError(displayName, keyPath, message);
	const names = Object.keys(config.agents);

	const metricsExportDir =
		overrides.metricsExportDir === undefined
			? path.resolve(writeBaseDir, config.orchestrator.metricsExportDir)
			: path.resolve(context.cwd, overrides.metricsExportDir);
	const orchestrator: ResolvedOrchestrator = {
		maxRetries: config.orchestrator.maxRetries,
		timeoutPerAgent:
			overrides.timeoutPerAgent ?? config.orchestrator.timeoutPerAgent,
		backoffMultiplier: config.orchestrator.backoffMultiplier,
		backoffBaseSeconds: config.orchestrator.backoffBaseSeconds,
		maxWorkers: overrides.maxWorkers ?? config.orchestrator.maxWorkers,
		killGraceSeconds: config.orchestrator.killGraceSeconds,
		sleepBetweenRunsMinutes:
			overrides.sleepBetweenRunsMinutes ??
			config.orchestrator.sleepBetweenRunsMinutes,
		enableMonitoring: config.orchestrator.enableMonitoring,
		enableHealthChecks: config.orchestrator.enableHealthChecks,
		metricsExportDir,
		// Against the same folder as metricsExportDir; without it, beside the metrics files.
		promFile:
			config.orchestrator.promFile === undefined
				? path.join(metricsExportDir, 'moondev.prom')
				: path.resolve(writeBaseDir, config.orchestrator.promFile),
		metricsRetention: config.orchestrator.metricsRetention,
		healthWindow: config.orchestrator.healthWindow,
	};

	const envFiles: string[] = [];
	const warnings: string[] = [];
	const readEnvFiles = (
		value: string | string[] | undefined,
		keyPath: string,
	) => {
		const variables: Record<string, string> = {};
		for (const [index, entry] of toList(value).entries()) {
			const envFile = path.resolve(baseDir, entry);
			const where = Array.isArray(value) ? `${keyPath}[${index}]` : keyPath;
			let contents;
			try {
				contents = readEnvFileContents(readBoundedFile(envFile, 'an env file'));
			} catch (error) {
				throw fail(
					where,
					`cannot read env file ${envFile}: ${describeFsError(error)}`,
				);
			}

			envFiles.push(envFile);
			if (contents.notUtf8) {
				warnings.push(
					`${where}: ${envFile} is not UTF-8: its values may not be what was meant`,
				);
			}

			if (contents.ignoredLines.length > 0) {
				warnings.push(
					`${where}: ${envFile}: ${contents.ignoredLines.length === 1 ? 'line' : 'lines'} ${contents.ignoredLines.join(', ')} ignored (not NAME=value)`,
				);
			}

			for (const [name, text] of Object.entries(contents.variables)) {
				const problem = unpassableVariable(name, text);
				if (problem) {
					throw fail(where, `${envFile}: ${name}: ${problem}`);
				}
			}

			// The environment moondev-tui was started with wins, as with dotenv itself.
			const overridden = Object.keys(contents.variables).filter(name =>
				Object.hasOwn(process.env, name),
			);
			if (overridden.length > 0) {
				warnings.push(
					`${where}: ${envFile}: ${overridden.join(', ')} set in the environment too: the environment's ${overridden.length === 1 ? 'value is' : 'values are'} used`,
				);
			}

			for (const [name, text] of Object.entries(contents.variables)) {
				if (!Object.hasOwn(process.env, name)) {
					variables[name] = text;
				}
			}
		}

		return variables;
	};

	const sharedEnv = readEnvFiles(
		config.orchestrator.envFile,
		'orchestrator.envFile',
	);

	const enabledOverride = overrides.agents
		? new Set(overrides.agents)
		: undefined;
	for (const name of overrides.agents ?? []) {
		if (!Object.hasOwn(config.agents, name)) {
			throw new ConfigError(`--agents: ${unknownAgent(name, names)}`);
		}

		if (config.agents[name]?.critical) {
			warnings.push(
				`--agents: ${name} is critical: it runs in every cycle whatever --agents says`,
			);
		}
	}

	const agents = Object.entries(config.agents).map(
		([name, agent]): ResolvedAgent => {
			const keyPath = `agents.${name}`;
			for (const [key, list] of [
				['dependsOn', agent.dependsOn],
				['requireHealthy', agent.requireHealthy],
			] as const) {
				for (const [index, other] of (list ?? []).entries()) {
					if (!(other in config.agents)) {
						throw fail(
							`${keyPath}.${key}[${index}]`,
							unknownAgent(other, names),
						);
					}

					if (other === name && key === 'dependsOn') {
						throw fail(
							`${keyPath}.${key}[${index}]`,
							'an agent cannot depend on itself',
						);
					}
				}
			}

			if (agent.onFailure !== undefined && !agent.critical) {
				warnings.push(
					`${keyPath}.onFailure: only critical agents halt the cycle; ignored`,
				);
			}

			if (agent.requireVerdict !== undefined && !agent.critical) {
				warnings.push(
					`${keyPath}.requireVerdict: only critical agents give a verdict; ignored`,
				);
			}

			if (agent.critical && agent.requireVerdict !== true) {
				warnings.push(
					`${keyPath}: a critical agent without requireVerdict passes by exiting 0, even having checked nothing; set "requireVerdict": true and have it say pass or halt`,
				);
			}

			const cwd =
				agent.cwd === undefined ? baseDir : path.resolve(baseDir, agent.cwd);
			return {
				name,
				command: resolveCommand(agent, baseDir, (message: string) =>
					fail(`${keyPath}.command`, message),
				),
				// --agents selects among the others: it never drops a critical agent.
				enabled:
					enabledOverride && !agent.critical
						? enabledOverride.has(name)
						: agent.enabled,
				critical: agent.critical,
				retries:
					agent.retries ?? (agent.critical ? orchestrator.maxRetries : 0),
				timeoutSeconds: agent.timeout,
				env: {
					...sharedEnv,
					...readEnvFiles(agent.envFile, `${keyPath}.envFile`),
					...checkedEnv(agent.env, `${keyPath}.env`, fail),
				},
				cwd,
				description: agent.description,
				dependsOn: agent.dependsOn ?? [],
				when: resolveWindow(agent.when),
				schedule: resolveSchedule(agent, keyPath, fail),
				requireHealthy: agent.requireHealthy ?? [],
				onFailure: agent.onFailure ?? 'halt',
				haltExitCode: agent.haltExitCode,
				requireVerdict: agent.critical && agent.requireVerdict === true,
				...(agent.runOn === undefined ? {} : {runOn: agent.runOn}),
			};
		},
	);

	const phases = config.phases
		? resolveCustomPhases(config, fail)
		: defaultPhases(agents);
	checkDependencyOrder(agents, phases, fail);
	checkRiskFirst(agents, phases, fail);

	const placed = new Set(phases.flatMap(phase => phase.agents));
	for (const agent of agents) {
		if (agent.critical && !placed.has(agent.name)) {
			// A risk check that never runs would let every cycle trade unchecked.
			throw fail('phases', `critical agent "${agent.name}" is in no phase`);
		}

		if (agent.enabled && !placed.has(agent.name)) {
			warnings.push(
				`agents.${agent.name}: enabled but in no phase, so it never runs`,
			);
		}
	}

	const notify = context.withoutNotify
		? []
		: resolveNotifyTargets(config.notify, sharedEnv, fail);
	const workers = resolveWorkers(config.orchestrator.workers, agents, {
		sharedEnv,
		fail,
		withoutUrl: context.withoutNotify,
	});

	return {
		file: context.file,
		displayName,
		isBundledDemo: context.isBundledDemo,
		baseDir,
		homeDir: writeBaseDir,
		orchestrator,
		agents,
		phases,
		hasCustomPhases: config.phases !== undefined,
		envFiles: [...new Set(envFiles)],
		notify,
		...(workers === undefined ? {} : {workers}),
		warnings,
	};
}

function resolveCommand(
	agent: AgentConfig,
	baseDir: string,
	fail: (message: string) => ConfigError,
): string[] {
	let argv: string[];
	if (typeof agent.command === 'string') {
		const split = splitCommand(agent.command);
		if ('operator' in split) {
			throw fail(
				`"${split.operator}" needs a shell, and commands never run through one: use ["sh", "-c", "…"]`,
			);
		}

		argv = split.argv;
	} else {
		argv = [...agent.command];
	}

	const [program, ...args] = argv;
	if (!program) {
		throw fail('expected a program to run, got an empty command');
	}

	return [resolveProgram(program, baseDir), ...args];
}

/** "node" is the Node that runs moondev-tui; a relative path is relative to the base folder. */
function resolveProgram(program: string, baseDir: string): string {
	if (program === 'node') {
		return process.execPath;
	}

	if (program.includes('/') && !path.isAbsolute(program)) {
		return path.resolve(baseDir, program);
	}

	return program;
}

function resolveWindow(when: AgentConfig['when']): AgentWindow | undefined {
	if (!when) {
		return undefined;
	}

	const [from, to] = when.hours?.split('-').map(Number) ?? [];
	return {
		hours: from === undefined || to === undefined ? undefined : {from, to},
		days: when.days,
	};
}

/** An agent's `env`, each variable one a process can be given; the error names the key, never the value. */
function checkedEnv(
	env: Readonly<Record<string, string>> | undefined,
	keyPath: string,
	fail: (keyPath: string, message: string) => ConfigError,
): Readonly<Record<string, string>> {
	for (const [name, value] of Object.entries(env ?? {})) {
		const problem = unpassableVariable(name, value);
		if (problem) {
			throw fail(`${keyPath}.${name}`, problem);
		}
	}

	return env ?? {};
}

function toList(value: string | string[] | undefined): string[] {
	if (value === undefined) {
		return [];
	}

	return Array.isArray(value) ? value : [value];
}

function displayPath(file: string, cwd: string): string {
	const relative = path.relative(cwd, file);
	return relative && !relative.startsWith('..') && !path.isAbsolute(relative)
		? relative
		: file;
}

/** The keys allowed at a path of the config, for "did you mean" hints. */
function knownKeysAt(keyPath: readonly PropertyKey[]): readonly string[] {
	const [first, , third] = keyPath;
	if (keyPath.length === 0) {
		return Object.keys(configSchema.shape);
	}

	if (first === 'orchestrator') {
		return Object.keys(orchestratorSchema.shape);
	}

	if (first === 'phases') {
		return Object.keys(phaseSchema.shape);
	}

	if (first === 'agents' && third === 'when') {
		return ['hours', 'days'];
	}

	if (first === 'agents') {
		return Object.keys(agentSchema.shape);
	}

	return [];
}
