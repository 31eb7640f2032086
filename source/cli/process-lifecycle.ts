import {constants} from 'node:os';
import process from 'node:process';
import type {EngineStopEvent} from '../contract/events.js';
import {killAllGroupsNow} from '../runner/kill-group.js';

/*
The one owner of the process's life, for the TUI, headless and `run <agent>` alike: which signals
stop it and how, what a crash does, and which exit code it ends with. Whatever happens here, no
agent's process group outlives the process.
*/

/**
Every signal that ends a process by default and can be caught. Each is one request to stop. Not
here: SIGKILL and SIGSTOP (they cannot be caught), SIGUSR1 (Node's inspector), SIGPIPE (Node
ignores it), and SIGSEGV, SIGBUS, SIGFPE and SIGILL (a real fault cannot run JavaScript).
*/
const stopSignals = [
	'SIGTERM',
	'SIGINT',
	'SIGHUP',
	'SIGQUIT',
	'SIGUSR2',
	'SIGALRM',
	'SIGVTALRM',
	'SIGPROF',
	'SIGXCPU',
	'SIGXFSZ',
	'SIGTRAP',
	'SIGSYS',
	'SIGABRT',
	'SIGPWR',
	'SIGSTKFLT',
	'SIGIO',
].filter(
	signal =>
		signal in constants.signals &&
		// Under `node --cpu-prof` (or --prof) SIGPROF is V8's own sampling timer: taking it over
		// ends the profiled process at the first sample.
		!(signal === 'SIGPROF' && isProfiled()),
) as NodeJS.Signals[];

function isProfiled(): boolean {
	return process.execArgv.some(
		argument => argument.startsWith('--cpu-prof') || argument === '--prof',
	);
}

/**
A library that catches a signal may raise it again (conf's `when-exit` does): the same signal
within this long of the first is that echo, not a person asking twice.
*/
const echoWindowMs = 1000;

/** 128 + the signal's number, as a shell reports a process a signal ended. */
export function signalExitCode(signal: NodeJS.Signals): number {
	return 128 + (constants.signals[signal] ?? 0);
}

export type Lifecycle = {
	/** Sets what a request to stop does; called at once if one already came. */
	readonly onStop: (stop: () => void) => void;
	/**
	Asks to stop as a signal does (a closed stdout is SIGPIPE); with no signal, a stop asked for by
	a person (the `stop` command), which is no failure: the run ends with exit 0 and reason `stop`.
	*/
	readonly requestStop: (signal?: NodeJS.Signals) => void;
	/**
	While another program has the terminal (the pager), Ctrl-C and Ctrl-\ are its keys: the
	SIGINT and SIGQUIT they raise in the terminal's process group, ours too, do not stop the engine,
	and Ctrl-Z's SIGTSTP does not freeze it, as under a shell's job control. Other signals stop as ever.
	*/
	readonly lendTerminal: (lent: boolean) => void;
	/** Whether a stop was asked for. */
	readonly stopping: () => boolean;
	/** The exit code owed to the signal received, if one was. */
	readonly exitCode: () => number | undefined;
	/** The run's last event: a signal's, or `otherwise` when none came. */
	readonly stopEvent: (otherwise: 'once' | 'stop') => EngineStopEvent;
	/** Work to finish on a crash (stop the agents, write, release), bounded by the crash deadline. */
	readonly onCrash: (cleanUp: (error: unknown) => Promise<void>) => void;
	/** Synchronous work that comes before a crash is reported (restore the terminal, so it shows). */
	readonly beforeCrashReport: (action: () => void) => void;
	/** Synchronous last words for every exit, even a hurried one (restore the terminal, drop the lock). */
	readonly atExit: (action: () => void) => void;
	readonly dispose: () => void;
};

export type LifecycleOptions = {
	/** How long a crash's clean-up may take before the process exits anyway. */
	readonly crashDeadlineMs: number;
	/** Where crashes are reported. @default stderr */
	readonly report?: (text: string) => void;
};

/**
Takes over the process's signals and crashes. The first request to stop calls the stop action
(every agent gets its grace, then the cycle is recorded); a second signal — another one, or the
same one more than a second later — does not wait: every group is SIGKILLed and the process exits.
*/
export function superviseProcess({
	crashDeadlineMs,
	report = text => process.stderr.write(text),
}: LifecycleOptions): Lifecycle {
	let received: {signal: NodeJS.Signals | undefined; at: number} | undefined;
	let stopAction: (() => void) | undefined;
	let crashCleanUp: ((error: unknown) => Promise<void>) | undefined;
	let crashed = false;
	const exitActions: Array<() => void> = [];
	const crashActions: Array<() => void> = [];

	const lastWords = () => {
		killAllGroupsNow();
		for (const action of exitActions.splice(0)) {
			try {
				action();
			} catch {
				// The next one must run all the same.
			}
		}
	};

	const requestStop = (signal?: NodeJS.Signals) => {
		const now = Date.now();
		if (received) {
			// A second `stop` command changes nothing; the same signal again soon is its echo.
			if (
				signal === undefined ||
				(signal === received.signal && now - received.at < echoWindowMs)
			) {
				return;
			}

			// A person asking again: now, not after the grace.
			lastWords();
			// eslint-disable-next-line unicorn/no-process-exit -- a second signal means now
			process.exit(signalExitCode(received.signal ?? signal));
		}

		received = {signal, at: now};
		stopAction?.();
	};

	let terminalLent = false;
	const keepRunning = () => undefined;
	const signalHandlers = stopSignals.map(signal => {
		const handler = () => {
			if (terminalLent && (signal === 'SIGINT' || signal === 'SIGQUIT')) {
				return;
			}

			requestStop(signal);
		};

		process.on(signal, handler);
		return [signal, handler] as const;
	});

	const onCrashEvent = (error: unknown) => {
		if (crashed) {
			return;
		}

		crashed = true;
		for (const action of crashActions) {
			try {
				action();
			} catch {
				// The report must come out all the same.
			}
		}

		report(
			`moondev-tui: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		const deadline = new Promise<void>(resolve => {
			setTimeout(resolve, crashDeadlineMs).unref();
		});
		void Promise.race([
			(crashCleanUp?.(error) ?? Promise.resolve()).catch(() => undefined),
			deadline,
		]).finally(() => {
			lastWords();
			// eslint-disable-next-line unicorn/no-process-exit -- the app is broken: leave, agents ended
			process.exit(1);
		});
	};

	process.on('uncaughtException', onCrashEvent);
	process.on('unhandledRejection', onCrashEvent);
	process.on('exit', lastWords);

	return {
		onStop(stop) {
			stopAction = stop;
			if (received) {
				stop();
			}
		},
		lendTerminal(lent) {
			if (lent !== terminalLent) {
				terminalLent = lent;
				if (lent) {
					process.on('SIGTSTP', keepRunning);
				} else {
					process.off('SIGTSTP', keepRunning);
				}
			}
		},
		requestStop,
		stopping: () => received !== undefined,
		exitCode: () =>
			received?.signal === undefined
				? undefined
				: signalExitCode(received.signal),
		stopEvent: otherwise => ({
			type: 'engine_stop',
			time: new Date().toISOString(),
			...(received?.signal
				? {reason: 'signal', signal: received.signal}
				: {reason: received ? 'stop' : otherwise}),
		}),
		onCrash(cleanUp) {
			crashCleanUp = cleanUp;
		},
		beforeCrashReport(action) {
			crashActions.push(action);
		},
		atExit(action) {
			exitActions.push(action);
		},
		dispose() {
			for (const [signal, handler] of signalHandlers) {
				process.off(signal, handler);
			}

			process.off('SIGTSTP', keepRunning);
			process.off('uncaughtException', onCrashEvent);
			process.off('unhandledRejection', onCrashEvent);
			// The 'exit' hook stays: agents started by this process must never outlive it.
		},
	};
}
