import {hostname} from 'node:os';
import process from 'node:process';
import {ConfigError} from '../config/config-error.js';
import {
	configChange,
	describeConfigChange,
	isNoChange,
	restartNeededFor,
} from '../config/config-change.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {
	type ControlServer,
	startControlServer,
} from '../control/control-server.js';
import {engineHealth} from '../control/engine-health.js';
import {handleRequest} from '../control/handle-request.js';
import type {HttpHealth, HttpServer} from '../control/http-server.js';
import type {ReplyBody} from '../control/protocol.js';
import type {EngineEvent} from '../contract/events.js';
import type {Engine} from '../engine/create-engine.js';
import type {EventBus} from '../engine/event-bus.js';
import type {AppState} from '../store/state.js';
import type {TargetStats} from '../notify/create-notifier.js';
import type {ListenAddress} from './listen-address.js';
import {packageVersion} from './paths.js';

export type ServeOptions = {
	readonly config: ResolvedConfig;
	readonly bus: EventBus;
	readonly engine: Engine;
	/** The state a screen of this engine shows now. */
	readonly view: () => AppState;
	/** The Prometheus text of now, for GET /metrics. */
	readonly metrics: () => string;
	readonly lostLocks: () => readonly string[];
	/** A graceful stop asked for (the `stop` command): exit 0. */
	readonly requestStop: () => void;
	readonly socketPath: string;
	/** The engine batches recent output for a screen anyway (the TUI); else only while one is attached. */
	readonly keepOutput: boolean;
	readonly reloadConfig: (() => ResolvedConfig) | undefined;
	readonly listen: ListenAddress | undefined;
};

export type EngineServices = {
	/** What could not be served (the engine trades all the same): said as warnings. */
	readonly warnings: readonly string[];
	/** Where it serves: said as info alerts. */
	readonly notes: readonly string[];
	/** Sends `engine_start` to the notify targets that asked for it. */
	readonly engineStarted: () => void;
	/** What the notifier did per target, for the metrics. */
	readonly notifyStats: () => readonly TargetStats[];
	/** Closes the socket and the HTTP server, and gives notifications `drainMs` to go out. */
	readonly close: (drainMs: number) => Promise<void>;
	/** Removes the socket file at once, for exits that cannot wait. */
	readonly removeNow: () => void;
};

/**
What makes a running engine reachable (contract §8): its control socket (status, the controls,
attach), `reload`, and with `--listen` the read-only HTTP of /metrics and /healthz. A socket that
cannot be opened is a warning; an HTTP address that cannot be served was asked for, so it is a
ConfigError (exit 2) before any agent runs.
*/
export async function serveEngine({
	config,
	bus,
	engine,
	view,
	metrics,
	lostLocks,
	requestStop,
	socketPath,
	keepOutput,
	reloadConfig,
	listen,
}: ServeOptions): Promise<EngineServices> {
	const folder = config.orchestrator.metricsExportDir;
	// The config the next cycle runs: the running one, or one reloaded since.
	let latest = config;
	const reload = (): ReplyBody => {
		if (!reloadConfig) {
			return {ok: false, error: 'this run cannot reload its config'};
		}

		let next: ResolvedConfig;
		try {
			next = reloadConfig();
		} catch (error) {
			if (error instanceof ConfigError) {
				return {
					ok: false,
					error: `${error.message}\nthe running config stays`,
				};
			}

			throw error;
		}

		const restart = restartNeededFor(latest, next);
		if (restart) {
			return {
				ok: false,
				error: `${next.displayName}: ${restart}; the running config stays`,
			};
		}

		const change = configChange(latest, next);
		if (isNoChange(change)) {
			return {ok: true, message: `${next.displayName}: nothing changed`};
		}

		latest = next;
		engine.replaceConfig(next);
		const message = `reloaded ${next.displayName}: ${describeConfigChange(change)}; in effect from the next cycle`;
		const time = new Date().toISOString();
		bus.emit({type: 'alert', time, level: 'info', message});
		for (const warning of next.warnings) {
			bus.emit({
				type: 'alert',
				time,
				level: 'warning',
				message: `${next.displayName}: ${warning}`,
			});
		}

		return {ok: true, message};
	};

	const control = await openControlSocket({
		socketPath,
		hello: {
			version: packageVersion(),
			pid: process.pid,
			config: config.displayName,
			metricsFolder: folder,
		},
		listen: bus.listen,
		onAttachedChange(attached) {
			// Headless, recent output is batched only while a screen is attached.
			if (!keepOutput) {
				engine.setKeepOutput(attached);
			}
		},
		snapshot: view,
		handle: async request =>
			handleRequest(request, {
				controls: engine,
				view,
				engine: {
					pid: process.pid,
					version: packageVersion(),
					metricsFolder: folder,
				},
				held: lostLocks,
				requestStop,
				reload: () => reload(),
			}),
	});

	// The config in effect (a reload takes effect with the next cycle), for /healthz.
	let applied = config;
	bus.listen(event => {
		if (event.type === 'config_applied') {
			applied = latest;
		}
	});
	const http = listen
		? await serveHttp(listen, {
				metrics,
				health: trackHealth(bus, {
					view,
					lostLocks,
					staleAfterMs: () => staleAfterMs(applied),
				}),
			})
		: undefined;
	const notes = http === undefined ? [] : [http.note];

	// Loaded only when there is a target: a run without one never loads the notifier.
	const notify =
		config.notify.length > 0
			? await import('../notify/create-notifier.js')
			: undefined;
	const notifier = notify
		? notify.createNotifier({
				targets: config.notify,
				context: {config: config.displayName, host: hostname()},
				emit: bus.emit,
				notRunAt: () => notRunNow(view()),
				pid: process.pid,
			})
		: undefined;
	if (notifier) {
		bus.listen(notifier.listen);
	}

	return {
		warnings: typeof control === 'string' ? [control] : [],
		notes,
		engineStarted() {
			notifier?.engineStarted();
		},
		notifyStats: () => notifier?.stats() ?? [],
		removeNow() {
			if (typeof control !== 'string') {
				control.removeNow();
			}
		},
		async close(drainMs) {
			if (typeof control !== 'string') {
				await control.close();
			}

			await http?.close();
			await notifier?.close(drainMs);
		},
	};
}

/** The control socket, or why there is none (a warning: the engine trades all the same). */
async function openControlSocket(
	options: Parameters<typeof startControlServer>[0],
): Promise<ControlServer | string> {
	try {
		return await startControlServer(options);
	} catch (error) {
		return `no control socket at ${options.socketPath} (${error instanceof Error ? error.message : String(error)}): attach, status and the other commands cannot reach this engine`;
	}
}

/** The HTTP server of `--listen`; one that cannot listen is a usage error (exit 2): it was asked for. */
async function serveHttp(
	listen: ListenAddress,
	handlers: {
		readonly metrics: () => string;
		readonly health: () => HttpHealth;
	},
): Promise<HttpServer & {readonly note: string}> {
	// Loaded only with --listen: a run without it never loads node:http.
	const {formatHostPort, startHttpServer} =
		await import('../control/http-server.js');
	try {
		const http = await startHttpServer({...listen, ...handlers});
		return Object.assign(http, {
			note: `serving GET /metrics and /healthz on http://${formatHostPort(http.address.host, http.address.port)}`,
		});
	} catch (error) {
		throw new ConfigError(
			`--listen: ${error instanceof Error ? error.message : String(error)}`,
		);
	}
}

/** The events that show the loop is alive: a cycle, a phase or an agent starting or ending. */
const progressEvents: ReadonlySet<EngineEvent['type']> = new Set([
	'cycle_start',
	'phase_start',
	'agent_start',
	'agent_end',
	'cycle_end',
] as const);

/** /healthz's answer, from the state a screen shows and the loop's last sign of life. */
function trackHealth(
	bus: EventBus,
	engine: {
		readonly view: () => AppState;
		readonly lostLocks: () => readonly string[];
		readonly staleAfterMs: () => number;
	},
): () => HttpHealth {
	const startedAt = Date.now();
	let lastProgressAt: number | undefined;
	bus.listen(event => {
		if (event.type === 'agent_retry') {
			// Waiting out the backoff is progress too, until the retry is due.
			lastProgressAt = Date.parse(event.time) + event.delay_s * 1000;
		} else if (progressEvents.has(event.type)) {
			lastProgressAt = Date.parse(event.time);
		}
	});
	return () =>
		engineHealth(engine.view(), {
			pid: process.pid,
			now: Date.now(),
			lostLocks: engine.lostLocks(),
			lastProgressAt,
			startedAt,
			staleAfterMs: engine.staleAfterMs(),
		});
}

/**
How long the loop may show no sign of life before /healthz calls it stale: the sleep between cycles
plus the longest attempt's timeout and kill grace, and a margin for writing the cycle down.
*/
function staleAfterMs(config: ResolvedConfig): number {
	const {orchestrator} = config;
	const longest = Math.max(
		orchestrator.timeoutPerAgent,
		...config.agents.map(agent => agent.timeoutSeconds ?? 0),
		...config.phases.map(phase => phase.timeoutPerAgent ?? 0),
	);
	return (
		orchestrator.sleepBetweenRunsMinutes * 60_000 +
		(longest + orchestrator.killGraceSeconds) * 1000 +
		30_000
	);
}

/** The agents a halt keeps from running this cycle: those still queued when it comes. */
function notRunNow(state: AppState): string[] {
	return state.agentOrder.filter(
		name => state.agents[name]?.status === 'queued',
	);
}
