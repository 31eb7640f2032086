import process from 'node:process';
import {ConfigError} from '../config/config-error.js';
import {loadConfig, NoConfigError} from '../config/load-config.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {openSettings, settingsFile} from '../config/settings.js';
import {plural} from '../util/format.js';
import {exitCodes} from './exit-codes.js';
import {overridesFromFlags, type RawFlags} from './flags.js';
import {helpText} from './help.js';
import {initConfig} from './init-config.js';
import {parseCommandLine} from './parse-command-line.js';
import {type Lifecycle, superviseProcess} from './process-lifecycle.js';
import {bundledConfigFile, packageVersion, schemaFile} from './paths.js';
import {runHeadless} from './run-headless.js';
import {runOneAgent} from './run-one-agent.js';
import {runWorker} from './run-worker.js';
import {formatToggles, savedToggles} from './saved-toggles.js';
import {describeConfig} from './validate.js';
import {engineCommands, runEngineCommand} from './engine-commands.js';
import {showLogs} from './show-logs.js';
import {runNotifyTest} from './notify-test.js';
import {openAttachment} from './attach-connection.js';
import {findEngine} from './find-engine.js';
import {type ListenAddress, parseListen} from './listen-address.js';

const commands = new Set([
	'run',
	'validate',
	'init',
	'toggles',
	'attach',
	'logs',
	'notify',
	'worker',
	...engineCommands,
]);

/**
Runs what the command line asks for and returns the exit code. A ConfigError (a usage or config
mistake) becomes its message on stderr and exit 2, never a stack trace.
*/
export async function runCommandLine(argv: readonly string[]): Promise<number> {
	try {
		const commandLine = parseCommandLine(argv);
		switch (commandLine.kind) {
			case 'help': {
				process.stdout.write(helpText);
				return exitCodes.ok;
			}

			case 'version': {
				process.stdout.write(`${packageVersion()}\n`);
				return exitCodes.ok;
			}

			case 'run': {
				return await dispatch(commandLine.input, commandLine.flags);
			}
		}
	} catch (error) {
		if (error instanceof ConfigError) {
			process.stderr.write(`${error.message}\n`);
			return exitCodes.usage;
		}

		throw error;
	}
}

async function dispatch(
	input: readonly string[],
	flags: RawFlags,
): Promise<number> {
	const [command, ...rest] = input;
	if (command !== undefined && !commands.has(command)) {
		throw new ConfigError(
			`unknown command "${command}" (commands: run, validate, init, toggles, attach, logs, notify test, worker, ${[...engineCommands].join(', ')}; see --help)`,
		);
	}

	const takesArgument =
		command === 'run' ||
		command === 'enable' ||
		command === 'disable' ||
		command === 'cancel' ||
		command === 'logs' ||
		command === 'notify' ||
		(command === 'toggles' && rest[0] === 'reset');
	const extra = takesArgument ? rest.slice(1) : rest;
	if (extra.length > 0) {
		throw new ConfigError(`unexpected argument "${extra[0]}" (see --help)`);
	}

	const listen =
		flags.listen === undefined ? undefined : parseListen(flags.listen);
	if (listen && command !== undefined) {
		throw new ConfigError(
			`--listen serves an engine's metrics: it goes with an engine run, not with ${command}`,
		);
	}

	if (
		command !== 'worker' &&
		(flags.redis ?? flags.tags ?? flags.concurrency) !== undefined
	) {
		throw new ConfigError(
			'--redis, --tags and --concurrency go with `worker` (see --help)',
		);
	}

	if (command !== undefined && engineCommands.has(command)) {
		return runEngineCommand(command, rest[0], flags);
	}

	if (command === 'attach') {
		if (!process.stdout.isTTY || !process.stdin.isTTY) {
			throw new ConfigError(
				'attach needs a terminal; from a script: moondev-tui status --json',
			);
		}

		// The engine builds its snapshot while this process loads the screen.
		const engine = findEngine(flags);
		const attachment = openAttachment(engine);
		attachment.catch(() => undefined);
		// Loaded only here: the one-shot commands never pay for React and Ink.
		const {runAttach} = await import('./run-attach.js');
		return runAttach(flags, {engine, attachment});
	}

	if (command === 'init') {
		const file = initConfig({
			cwd: process.cwd(),
			target: flags.config,
			schemaFile: schemaFile(),
		});
		process.stdout.write(
			`wrote ${file}\nnext: moondev-tui validate, then moondev-tui\n`,
		);
		return exitCodes.ok;
	}

	// The TUI needs a terminal both ways; --once and --json are for scripts, so they run headless.
	const useTui =
		command === undefined &&
		!flags.headless &&
		!flags.once &&
		!flags.json &&
		process.stdout.isTTY &&
		process.stdin.isTTY;
	const load = (demo: boolean) =>
		loadConfig({
			configFlag: flags.config,
			demo,
			bundledConfigFile: bundledConfigFile(),
			overrides: overridesFromFlags(flags),
			// `logs` sends nothing: it must work without the service's webhook variables.
			withoutNotify: command === 'logs' || command === 'worker',
		});
	let config: ResolvedConfig;
	let {demo} = flags;
	try {
		config = load(demo);
	} catch (error) {
		// A person at a terminal is offered the demo; a service never runs it by mistake.
		if (!(error instanceof NoConfigError && useTui)) {
			throw error;
		}

		// Loaded only here: node:readline is for this one question.
		const {askYesNo} = await import('./ask.js');
		if (
			!(await askYesNo(`${error.message}\n\nRun the bundled demo now? [y/N] `))
		) {
			return exitCodes.usage;
		}

		demo = true;
		config = load(demo);
	}

	if (command === 'notify') {
		if (rest[0] !== 'test') {
			throw new ConfigError('notify: the one subcommand is `notify test`');
		}

		return runNotifyTest(config);
	}

	if (command === 'worker') {
		return runWorker(config, flags);
	}

	if (command === 'logs') {
		return showLogs(config, rest[0], {follow: flags.follow});
	}

	if (command === 'validate' || command === 'toggles') {
		const settings = await openSettings(config.file);
		const toggles = savedToggles(config, settings.toggles());
		if (command === 'validate') {
			process.stdout.write(
				`${describeConfig(config, flags.json, {toggles, file: settingsFile()})}\n`,
			);
			return exitCodes.ok;
		}

		if (rest[0] === 'reset') {
			const count = await settings.reset();
			process.stdout.write(
				`${config.displayName}: forgot ${plural(count, 'saved toggle')}; the config file's enabled values hold\n`,
			);
			return exitCodes.ok;
		}

		process.stdout.write(
			toggles.length === 0
				? `${config.displayName}: no saved toggles\n`
				: `${config.displayName}: saved toggles (${settingsFile()}; \`moondev-tui toggles reset\` forgets them)\n${formatToggles(toggles).join('\n')}\n`,
		);
		return exitCodes.ok;
	}

	// From here on agents run: one owner of signals, crashes and the exit code for every mode.
	const lifecycle = superviseProcess({
		crashDeadlineMs: config.orchestrator.killGraceSeconds * 1000 + 5000,
	});
	try {
		if (command === 'run') {
			return await runOneAgent({
				config,
				name: rest[0],
				json: flags.json,
				lifecycle,
			});
		}

		return await runEngine(config, flags, lifecycle, {
			useTui,
			listen,
			// `reload` reads the config again exactly as this run first read it.
			reloadConfig: () => load(demo),
		});
	} finally {
		lifecycle.dispose();
	}
}

async function runEngine(
	config: ResolvedConfig,
	flags: RawFlags,
	lifecycle: Lifecycle,
	{
		useTui,
		listen,
		reloadConfig,
	}: {
		readonly useTui: boolean;
		readonly listen: ListenAddress | undefined;
		readonly reloadConfig: () => ResolvedConfig;
	},
): Promise<number> {
	const agentsFlag = flags.agents !== undefined;
	if (useTui) {
		// Loaded only here: the headless path never pays for React and Ink.
		const {runTui} = await import('./run-tui.js');
		return runTui({config, agentsFlag, lifecycle, reloadConfig, listen});
	}

	return runHeadless({
		config,
		json: flags.json,
		once: flags.once,
		agentsFlag,
		lifecycle,
		reloadConfig,
		listen,
	});
}
