import process from 'node:process';
import {type Instance, render} from 'ink';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {createAppStore} from '../store/create-app-store.js';
import {StoreProvider} from '../store/store-context.js';
import {App} from '../ui/app.js';
import type {Lifecycle} from './process-lifecycle.js';
import type {ListenAddress} from './listen-address.js';
import {openSession} from './open-session.js';
import {exitCodes} from './exit-codes.js';
import {enterFullScreen} from './full-screen.js';

/**
The full-screen TUI over the same session as the headless mode. Every way out — q, Ctrl-C,
a signal, an uncaught error — stops the engine (every agent's group killed), saves, and restores
the terminal before the process ends; the process lifecycle (cli/) owns signals and crashes.
*/
export async function runTui(options: {
	readonly config: ResolvedConfig;
	readonly agentsFlag: boolean;
	readonly lifecycle: Lifecycle;
	readonly reloadConfig?: () => ResolvedConfig;
	readonly listen?: ListenAddress | undefined;
}): Promise<number> {
	const {config, lifecycle} = options;
	const session = await openSession(options);
	const {bus, engine} = session;
	const store = createAppStore({
		config,
		controls: engine,
		isEnabled: session.enabledAtStart,
		previousDurationsMs: session.previousDurationsMs,
	});
	bus.listen(store.getState().apply);
	session.announceWarnings();

	// Ink 6 has no alternate-screen option: we write the sequences, and undo them on every exit.
	const restore = enterFullScreen(process.stdout);
	const ink: {instance?: Instance} = {};
	// Leave the terminal as we found it: out of raw mode, main screen, cursor shown.
	const leaveTerminal = () => {
		try {
			ink.instance?.unmount();
		} catch {
			process.stdin.setRawMode?.(false);
		}

		restore();
	};

	lifecycle.beforeCrashReport(leaveTerminal);
	lifecycle.atExit(leaveTerminal);

	let quitting: Promise<void> | undefined;
	let resolveDone: () => void = () => undefined;
	const done = new Promise<void>(resolve => {
		resolveDone = resolve;
	});
	const quit = async () => {
		quitting ??= (async () => {
			try {
				await engine.stop();
				await session.close(lifecycle.stopEvent('stop'));
			} finally {
				leaveTerminal();
				resolveDone();
			}
		})();
		return quitting;
	};

	lifecycle.onStop(() => {
		void quit();
	});
	ink.instance = render(
		<StoreProvider store={store}>
			<App
				onQuit={() => {
					void quit();
				}}
			/>
		</StoreProvider>,
		{exitOnCtrlC: false, maxFps: 30, patchConsole: true},
	);

	void engine.run().catch((error: unknown) => {
		leaveTerminal();
		throw error;
	});
	await done;
	return lifecycle.exitCode() ?? exitCodes.ok;
}
