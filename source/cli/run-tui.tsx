import path from 'node:path';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {createAppStore} from '../store/create-app-store.js';
import {StoreProvider} from '../store/store-context.js';
import {App} from '../ui/app.js';
import type {ViewState} from '../ui/key-map.js';
import type {Lifecycle} from './process-lifecycle.js';
import type {ListenAddress} from './listen-address.js';
import {openSession} from './open-session.js';
import {exitCodes} from './exit-codes.js';
import {pageLog} from './pager.js';
import {openScreen, type Screen} from './screen.js';

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

	// Leave the terminal as we found it: out of raw mode, main screen, cursor shown.
	const ui: {screen?: Screen} = {};
	const leaveTerminal = () => {
		ui.screen?.leave();
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
	const draw = (view?: ViewState) => (
		<StoreProvider store={store}>
			<App
				initialView={view}
				onQuit={() => {
					void quit();
				}}
				onOpenLog={(agent, from) => {
					void ui.screen?.lend(
						async signal =>
							pageLog(
								path.join(config.orchestrator.metricsExportDir, 'logs'),
								agent,
								{lifecycle, signal, view: from},
							),
						draw,
					);
				}}
			/>
		</StoreProvider>
	);
	ui.screen = openScreen(draw());

	void engine.run().catch((error: unknown) => {
		leaveTerminal();
		throw error;
	});
	await done;
	return lifecycle.exitCode() ?? exitCodes.ok;
}
