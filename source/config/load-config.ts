import {existsSync, readFileSync, type Stats, statSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {
	type ParseError,
	parse as parseJsonc,
	printParseErrorCode,
} from 'jsonc-parser';
import {configError, ConfigError} from './config-error.js';
import {closestMatch, formatIssues} from './format-issues.js';
import type {
	AgentWindow,
	ResolvedAgent,
	ResolvedConfig,
	ResolvedOrchestrator,
	ResolvedPhase,
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
import {readEnvFileContents, unpassableVariable} from './env-file.js';
import {splitCommand} from './split-command.js';

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
};

/**
No config was found and none was named: a service must never trade the demo by mistake, so this
is an error that says where moondev-tui looked and how to start. The TUI offers the demo instead.
*/
export class NoConfigError extends ConfigError {
	override readonly name = 'NoConfigError';
}

/** Which file to read: `--demo`'s, `--config`, else `./.config/moondev.json`; none is a NoConfigError. */
export function findConfigFile(
	options: Pick<
		LoadConfigOptions,
		'configFlag' | 'cwd' | 'bundledConfigFile' | 'demo'
	>,
): {file: string; isBundledDemo: boolean} {
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

/** Reads, validates and resolves a config; every mistake is a ConfigError naming file and key. */
export function loadConfig(options: LoadConfigOptions): ResolvedConfig {
	const cwd = options.cwd ?? process.cwd();
	const {file, isBundledDemo} = findConfigFile(options);
	return parseConfig(readJson(file, displayPath(file, cwd)), {
		file,
		isBundledDemo,
		cwd,
		overrides: options.overrides,
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
	});
}

type ResolveContext = {
	readonly file: string;
	readonly displayName: string;
	readonly isBundledDemo: boolean;
	readonly cwd: string;
	readonly overrides: ConfigOverrides;
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
		metricsExportDir:
			overrides.metricsExportDir === undefined
				? path.resolve(writeBaseDir, config.orchestrator.metricsExportDir)
				: path.resolve(context.cwd, overrides.metricsExportDir),
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
				contents = readEnvFileContents(readFileSync(envFile));
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
				requireHealthy: agent.requireHealthy ?? [],
				onFailure: agent.onFailure ?? 'halt',
				haltExitCode: agent.haltExitCode,
				requireVerdict: agent.critical && agent.requireVerdict === true,
			};
		},
	);

	const phases = config.phases
		? resolveCustomPhases(config, fail)
		: defaultPhases(agents);
	checkDependencyOrder(agents, phases, fail);

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
		warnings,
	};
}

/** Without `phases`: the critical agents one at a time, then every other agent in parallel. */
function defaultPhases(agents: readonly ResolvedAgent[]): ResolvedPhase[] {
	return [
		{
			name: 'critical',
			mode: 'sequential',
			agents: agents.filter(agent => agent.critical).map(agent => agent.name),
			timeoutPerAgent: undefined,
		},
		{
			name: 'parallel',
			mode: 'parallel',
			agents: agents.filter(agent => !agent.critical).map(agent => agent.name),
			timeoutPerAgent: undefined,
		},
	];
}

function resolveCustomPhases(
	config: ConfigFile,
	fail: (keyPath: string, message: string) => ConfigError,
): ResolvedPhase[] {
	const names = Object.keys(config.agents);
	const placedIn = new Map<string, string>();
	const phaseNames = new Set<string>();
	return (config.phases ?? []).map((phase, phaseIndex) => {
		if (phaseNames.has(phase.name)) {
			throw fail(
				`phases[${phaseIndex}].name`,
				`duplicate phase name "${phase.name}"`,
			);
		}

		phaseNames.add(phase.name);
		for (const [index, name] of phase.agents.entries()) {
			const keyPath = `phases[${phaseIndex}].agents[${index}]`;
			if (!(name in config.agents)) {
				throw fail(keyPath, unknownAgent(name, names));
			}

			const earlier = placedIn.get(name);
			if (earlier !== undefined) {
				// It would run twice a cycle: twice the orders.
				throw fail(keyPath, `"${name}" is already in phase "${earlier}"`);
			}

			placedIn.set(name, phase.name);
		}

		return {
			name: phase.name,
			mode: phase.mode,
			agents: phase.agents,
			timeoutPerAgent: phase.timeoutPerAgent,
		};
	});
}

/**
A dependency must be able to finish first: in an earlier phase, earlier in a sequential phase, or
anywhere in a parallel one as long as the dependencies there form no loop.
*/
function checkDependencyOrder(
	agents: readonly ResolvedAgent[],
	phases: readonly ResolvedPhase[],
	fail: (keyPath: string, message: string) => ConfigError,
) {
	const position = new Map<string, {phase: number; index: number}>();
	for (const [phaseIndex, phase] of phases.entries()) {
		for (const [index, name] of phase.agents.entries()) {
			position.set(name, {phase: phaseIndex, index});
		}
	}

	const byName = new Map(agents.map(agent => [agent.name, agent]));
	for (const agent of agents) {
		const own = position.get(agent.name);
		if (!own) {
			continue;
		}

		for (const [index, dependency] of agent.dependsOn.entries()) {
			const keyPath = `agents.${agent.name}.dependsOn[${index}]`;
			const other = position.get(dependency);
			if (!other) {
				throw fail(
					keyPath,
					`"${dependency}" is in no phase, so it never succeeds`,
				);
			}

			const phase = phases[own.phase];
			if (
				other.phase > own.phase ||
				(other.phase === own.phase &&
					phase?.mode === 'sequential' &&
					other.index > own.index)
			) {
				throw fail(keyPath, `"${dependency}" runs after "${agent.name}"`);
			}
		}
	}

	// Loops inside a parallel phase would wait on each other forever.
	const visiting = new Set<string>();
	const done = new Set<string>();
	const visit = (name: string, trail: string[]) => {
		if (done.has(name)) {
			return;
		}

		if (visiting.has(name)) {
			const loop = [...trail.slice(trail.indexOf(name)), name].join(' → ');
			throw fail(`agents.${name}.dependsOn`, `dependency loop: ${loop}`);
		}

		visiting.add(name);
		for (const dependency of byName.get(name)?.dependsOn ?? []) {
			visit(dependency, [...trail, name]);
		}

		visiting.delete(name);
		done.add(name);
	};

	for (const agent of agents) {
		visit(agent.name, []);
	}
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

/** A config is small; anything past this is a mistake (or a device), not a config. */
const maxConfigBytes = 1024 * 1024;
/** Deeper than any real config: deeper still could exhaust the parser's stack. */
const maxConfigDepth = 64;

function readJson(file: string, displayName: string): unknown {
	let text: string;
	try {
		// Checked before it is opened: opening a FIFO waits for a writer, a device never ends.
		const stats = statSync(file);
		if (!stats.isFile()) {
			throw new ConfigError(
				`${displayName}: not a regular file (${describeFileType(stats)}); a config is a JSON file`,
			);
		}

		if (stats.size > maxConfigBytes) {
			throw new ConfigError(
				`${displayName}: ${stats.size} bytes is too large for a config (at most ${maxConfigBytes})`,
			);
		}

		text = readFileSync(file, 'utf8');
	} catch (error) {
		if (error instanceof ConfigError) {
			throw error;
		}

		throw new ConfigError(
			`${displayName}: cannot read: ${describeFsError(error)}`,
		);
	}

	const tooDeep = depthBeyond(text, maxConfigDepth);
	if (tooDeep !== undefined) {
		throw new ConfigError(
			`${displayName}: line ${tooDeep}: nested more than ${maxConfigDepth} levels deep; a config is not`,
		);
	}

	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new ConfigError(
			`${displayName}: invalid JSON: ${describeJsonError(error, text)}`,
		);
	}
}

/** The line where brackets first nest deeper than `limit` (outside strings), if they do. */
function depthBeyond(text: string, limit: number): number | undefined {
	let depth = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const character = text[index] ?? '';
		if (inString) {
			// A backslash escapes the next character; a quote ends the string.
			index += character === '\\' ? 1 : 0;
			inString = character !== '"';
			continue;
		}

		switch (character) {
			case '"': {
				inString = true;
				break;
			}

			case '{':
			case '[': {
				depth++;
				if (depth > limit) {
					return text.slice(0, index).split('\n').length;
				}

				break;
			}

			case '}':
			case ']': {
				depth--;
				break;
			}

			default: {
				break;
			}
		}
	}

	return undefined;
}

function describeFileType(stats: Stats): string {
	if (stats.isFIFO()) {
		return 'a named pipe';
	}

	if (stats.isCharacterDevice() || stats.isBlockDevice()) {
		return 'a device';
	}

	if (stats.isDirectory()) {
		return 'a folder';
	}

	return stats.isSocket() ? 'a socket' : 'not a file';
}

/** Where the JSON goes wrong, as "line 3, column 13: value expected". */
function describeJsonError(error: unknown, text: string): string {
	const errors: ParseError[] = [];
	parseJsonc(text, errors, {disallowComments: true, allowTrailingComma: false});
	const first = errors[0];
	if (!first) {
		return error instanceof Error ? error.message : String(error);
	}

	const before = text.slice(0, first.offset);
	const line = before.split('\n').length;
	const column = before.length - before.lastIndexOf('\n');
	const what = printParseErrorCode(first.error)
		.replaceAll(/([a-z])([A-Z])/gv, '$1 $2')
		.toLowerCase();
	return `line ${line}, column ${column}: ${what}`;
}

function describeFsError(error: unknown): string {
	const {code} = error as NodeJS.ErrnoException;
	if (code === 'ENOENT') {
		return 'file not found';
	}

	if (code === 'EACCES') {
		return 'permission denied';
	}

	return error instanceof Error ? error.message : String(error);
}

function unknownAgent(name: string, names: readonly string[]): string {
	const hint = closestMatch(name, names);
	return hint
		? `unknown agent "${name}" (did you mean "${hint}"?)`
		: `unknown agent "${name}"`;
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
