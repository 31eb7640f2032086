import type {ResolvedConfig} from '../config/resolved-config.js';
import {openSettings} from '../config/settings.js';
import {systemClock} from '../engine/clock.js';
import {createEngine, type Engine} from '../engine/create-engine.js';
import {createEventBus, type EventBus} from '../engine/event-bus.js';
import type {EngineStopEvent} from '../contract/events.js';
import {controlSocketPathOf} from '../control/socket-path.js';
import {createMonitor, type Monitor} from '../monitor/create-monitor.js';
import {realPathOf, runtimeFolder} from '../monitor/engine-lock.js';
import {createGroupRecorder} from '../monitor/group-record.js';
import {removeInterruptedWrites} from '../monitor/interrupted-writes.js';
import {loadState, saveState} from '../monitor/state-file.js';
import {createUsageSampler} from '../runner/group-usage.js';
import {watchGroups} from '../runner/kill-group.js';
import {runAgent} from '../runner/run-agent.js';
import {reduce} from '../store/reduce.js';
import {type AppState, createInitialState} from '../store/state.js';
import type {TargetStats} from '../notify/create-notifier.js';
import type {ListenAddress} from './listen-address.js';
import {endLeftovers, holdLocks} from './hold-locks.js';
import {serveEngine} from './serve-engine.js';
import {openWorkers, type SessionWorkers} from './open-workers.js';
import type {Lifecycle} from './process-lifecycle.js';

/*
One piece past 300 lines because opening a run is one ordered sequence over shared state: the
locks before anything else, a dead engine's leftovers ended before our first agent, the state
loaded before the engine numbers its cycles, the listeners attached before the first event, and a
close that undoes each step whatever the one before it did. The parts that stand alone live
beside it: hold-locks.ts, serve-engine.ts (socket, reload, HTTP), the monitor and the engine.
*/

/** Everything one run of the orchestrator needs, wired, and how to put it away. */
export type Session = {
	readonly bus: EventBus;
	readonly engine: Engine;
	readonly monitor: Monitor;
	/** Whether an agent is enabled at start (config, then saved toggles, then `--agents`). */
	readonly enabledAtStart: (agent: string) => boolean;
	/**
	Emits what a screen needs before the first cycle — each agent's health, then the warnings
	gathered while opening, as alerts; call once the listeners are attached.
	*/
	readonly announceWarnings: () => void;
	/** The state a screen of this engine shows now, kept for the control socket's clients. */
	readonly view: () => AppState;
	/** Durations of the cycles before this run, for the timings panel. */
	readonly previousDurationsMs: readonly number[];
	/** Emits the run's last event, then saves toggles, flushes the logs and releases the locks. */
	readonly close: (last: EngineStopEvent) => Promise<void>;
};

export type SessionOptions = {
	readonly config: ResolvedConfig;
	/** `--agents` was given: it wins over the saved toggles for this run. */
	readonly agentsFlag: boolean;
	/** The process's owner: signals stop this session's engine, a crash closes it. */
	readonly lifecycle: Lifecycle;
	/** Where conf keeps settings; tests point it at a temporary folder. */
	readonly settingsFolder?: string | undefined;
	/** Batch recent output lines for a screen; headless has none. @default true */
	readonly keepOutput?: boolean;
	/** `--listen`: serve GET /metrics and /healthz there. */
	readonly listen?: ListenAddress | undefined;
	/** Reads the config again as this run first read it (`reload`); without it, reload is refused. */
	readonly reloadConfig?: (() => ResolvedConfig) | undefined;
};

/**
Opens a run: takes the config's and the metrics folder's locks (refusing, exit 2, when another
engine holds either or the folder cannot be used), ends what a dead predecessor left running,
loads the state and the user's saved toggles, and wires the engine and the monitoring half to one
event bus. The headless mode and the TUI both start here, so they behave the same.
*/
export async function openSession({
	config,
	agentsFlag,
	lifecycle,
	settingsFolder,
	keepOutput = true,
	reloadConfig,
	listen,
}: SessionOptions): Promise<Session> {
	const folder = config.orchestrator.metricsExportDir;
	const bus = createEventBus();
	const now = () => new Date().toISOString();
	const warnings = config.warnings.map(
		warning => `${config.displayName}: ${warning}`,
	);

	// Late-bound: the locks are taken before the engine exists, and may be lost once it runs.
	const late: {engine?: Engine} = {};
	const socketPath = controlSocketPathOf(realPathOf(folder), runtimeFolder());
	const locks = await holdLocks(
		config,
		{
			onLost(what, error) {
				late.engine?.hold(what);
				bus.emit({
					type: 'alert',
					time: now(),
					level: 'critical',
					message: `lost ${what} (${error.message}): no new cycle starts until it is held again`,
				});
			},
			onHeldAgain(what, ended) {
				late.engine?.release(what);
				bus.emit({
					type: 'alert',
					time: now(),
					level: ended.length > 0 ? 'warning' : 'info',
					message:
						ended.length > 0
							? `holds ${what} again, taken over from an engine that is gone; ended what it left running: ${ended.join(', ')}; cycles go on`
							: `holds ${what} again: cycles go on`,
				});
			},
		},
		socketPath,
	);
	lifecycle.atExit(locks.releaseNow);

	// Every group an agent starts is recorded beside the lock, for whoever takes over after a crash.
	const recorder = createGroupRecorder(locks.engineLockPath, error => {
		bus.emit({
			type: 'alert',
			time: now(),
			level: 'warning',
			message: `the agents' process groups cannot be recorded (${error instanceof Error ? error.message : String(error)}): after a crash the next engine could not end them`,
		});
	});

	const removed = removeInterruptedWrites(folder);
	if (removed.length > 0) {
		warnings.push(
			`removed ${removed.length} temporary file${removed.length === 1 ? '' : 's'} of writes a crash interrupted in ${folder}`,
		);
	}

	const configPath = realPathOf(config.file);
	let {state, warning: stateWarning} = loadState(folder, configPath);
	if (stateWarning) {
		warnings.push(stateWarning);
	}

	// A dead engine's agents may still be placing orders: they end before anything of ours starts.
	const previous = locks.previous();
	if (previous) {
		const left = await endLeftovers(previous, state, {
			graceMs: config.orchestrator.killGraceSeconds * 1000,
			folder,
		});
		warnings.push(left.warning);
		// Dealt with: a crash of ours before our first agent must not end them twice.
		recorder.remove();
		if (left.state !== state) {
			state = left.state;
			saveState(folder, state);
		}
	}

	const settings = await openSettings(config.file, {
		...(settingsFolder === undefined ? {} : {cwd: settingsFolder}),
		onSaveError(error) {
			bus.emit({
				type: 'alert',
				time: now(),
				level: 'warning',
				message: `a toggle could not be saved (${error instanceof Error ? error.message : String(error)}); it holds for this run only`,
			});
		},
	});
	const toggles = agentsFlag ? {} : settings.toggles();
	// Only the config file turns a critical agent off: a saved toggle of one is never honoured.
	const enabled = Object.fromEntries(
		config.agents.map(agent => [
			agent.name,
			agent.critical || !Object.hasOwn(toggles, agent.name)
				? agent.enabled
				: toggles[agent.name]!,
		]),
	);
	if (!Object.values(enabled).includes(true)) {
		warnings.push(
			'no agent is enabled (by the config, saved toggles or --agents): cycles run nothing until one is',
		);
	}

	for (const agent of config.agents) {
		if (agent.critical && Object.hasOwn(toggles, agent.name)) {
			warnings.push(
				`a saved toggle of ${agent.name} is ignored: it is critical, and only the config file turns it off`,
			);
		}
	}

	// Each running agent's CPU and memory, a sample a second while any runs (none while idle).
	const sampler = createUsageSampler({
		onSample(usage) {
			bus.emit({
				type: 'agent_usage',
				time: now(),
				usage: Object.fromEntries(
					[...usage].map(([agent, sample]) => [
						agent,
						{
							cpu_percent: Math.round(sample.cpuPercent * 10) / 10,
							memory_bytes: sample.memoryBytes,
						},
					]),
				),
			});
		},
	});
	watchGroups(groups => {
		recorder.update(groups);
		sampler.update(groups);
	});

	// Late-bound: the notifier is made with the engine's other services, after the monitor.
	const notify: {stats?: () => readonly TargetStats[]} = {};
	const monitor = createMonitor({
		config,
		emit: bus.emit,
		initialState: state,
		now: systemClock.now,
		notifyStats: () => notify.stats?.() ?? [],
	});
	// Only with orchestrator.workers: agents with `runOn` go to the workers (contract §10).
	const workers: SessionWorkers | undefined = config.workers
		? await openWorkers(config.workers, {
				emit: bus.emit,
				engine: () => late.engine,
				warnings,
				killGraceSeconds: config.orchestrator.killGraceSeconds,
				remoteAgents: config.agents.flatMap(agent =>
					agent.runOn !== undefined && (enabled[agent.name] ?? false)
						? [{name: agent.name, runOn: agent.runOn}]
						: [],
				),
			})
		: undefined;
	const running = createEngine({
		config,
		runAgent: workers ? workers.runAgent(runAgent) : runAgent,
		clock: systemClock,
		emit: bus.emit,
		healthOf: monitor.healthOf,
		// The state file keeps each agent's last start: schedules hold across restarts and --once.
		lastStartOf: monitor.lastStartOf,
		firstCycle: monitor.nextCycle(),
		onLines: monitor.onLines,
		keepOutput,
		enabled,
		onConfigApplied: monitor.setConfig,
	});
	late.engine = running;
	for (const what of locks.lost()) {
		running.hold(what);
	}

	// What a screen of this engine shows, kept for clients that attach or ask for the status.
	const previousDurationsMs = monitor
		.cycleDurationsS()
		.map(seconds => seconds * 1000);
	let view = createInitialState(
		config,
		agent => enabled[agent] ?? false,
		previousDurationsMs,
	);
	/*
	Reduced when asked (a client's status or attach, the text printer) or once 4096 events wait:
	reducing copies the agents' table, which for 200 agents was ~0.15 ms of CPU and ~0.25 MB of
	garbage an agent with nobody asking. Output batches (a screen's) are reduced at once, and agent
	text is cut to a copy of its own (parse-protocol-line.ts), so what waits stays small.
	*/
	const waiting: Array<Parameters<typeof reduce>[1]> = [];
	const currentView = () => {
		// Taken off first: an event the reducer cannot take is not met again with every later one.
		for (const event of waiting.splice(0)) {
			view = reduce(view, event);
		}

		return view;
	};

	bus.listen(event => {
		waiting.push(event);
		if (event.type === 'agent_output' || waiting.length >= 4096) {
			currentView();
		}
	});
	bus.listen(monitor.listen);
	bus.listen(event => {
		if (event.type === 'agent_toggle' && event.persist) {
			settings.saveToggle(event.agent, event.enabled);
		}
	});
	bus.listen(event => {
		if (event.type === 'cycle_start' || event.type === 'cycle_end') {
			recorder.setCycle(event.type === 'cycle_start' ? event.cycle : undefined);
		}
	});
	// `run <agent>` beside this engine is allowed only while it is paused with no cycle running.
	let paused = false;
	let cycleRunning = false;
	let idle = false;
	bus.listen(event => {
		if (event.type === 'schedule') {
			paused = event.paused;
		} else if (event.type === 'cycle_start' || event.type === 'cycle_end') {
			cycleRunning = event.type === 'cycle_start';
		} else {
			return;
		}

		if (idle !== (paused && !cycleRunning)) {
			idle = paused && !cycleRunning;
			locks.noteIdle(idle);
		}
	});

	// Reachable while it runs: the control socket, `reload`, and --listen's HTTP.
	const services = await serveEngine({
		config,
		bus,
		engine: running,
		view: currentView,
		metrics: monitor.prometheus,
		// The queue's lock counts as the folder's do: status says it, /healthz answers 503.
		lostLocks: () => [...locks.lost(), ...(workers?.lost() ?? [])],
		requestStop() {
			lifecycle.requestStop();
		},
		socketPath,
		keepOutput,
		reloadConfig,
		listen,
	});
	warnings.push(...services.warnings);
	// A hurried exit (a second signal) leaves no socket behind to mislead a client.
	lifecycle.atExit(services.removeNow);
	notify.stats = services.notifyStats;

	let closing: Promise<void> | undefined;
	const close = async (last: EngineStopEvent) => {
		closing ??= (async () => {
			bus.emit(last);
			// Each step runs whatever the one before did: the locks must never be left behind.
			try {
				// The engine_stop just emitted goes out too: the notifier drains within the grace.
				await services.close(
					Math.min(3000, config.orchestrator.killGraceSeconds * 1000),
				);
				await settings.flush();
			} finally {
				try {
					await monitor.close();
				} finally {
					watchGroups(undefined);
					sampler.stop();
					recorder.remove();
					await workers?.close().catch(() => undefined);
					await locks.release();
				}
			}
		})();
		return closing;
	};

	lifecycle.onStop(() => {
		void running.stop();
	});
	lifecycle.onCrash(async error => {
		await running.stop();
		await close({
			type: 'engine_stop',
			time: now(),
			reason: 'error',
			error: error instanceof Error ? error.message : String(error),
		});
	});

	return {
		bus,
		engine: running,
		monitor,
		enabledAtStart: agent => enabled[agent] ?? false,
		view: currentView,
		previousDurationsMs,
		announceWarnings() {
			monitor.announceHealth();
			workers?.announce();
			services.engineStarted();
			if (config.isBundledDemo) {
				bus.emit({
					type: 'alert',
					time: now(),
					level: 'info',
					message: `DEMO: the bundled demo agents, paper trading on sample data; writing under ${config.homeDir}`,
				});
			}

			for (const note of services.notes) {
				bus.emit({type: 'alert', time: now(), level: 'info', message: note});
			}

			for (const warning of warnings) {
				bus.emit({
					type: 'alert',
					time: now(),
					level: 'warning',
					message: warning,
				});
			}
		},
		close,
	};
}
