import process from 'node:process';
import {setTimeout as setTimeout$} from 'node:timers/promises';
import {render} from 'ink';
import {exitCodes} from '../cli/exit-codes.js';
import {openSession} from '../cli/open-session.js';
import {handleInterruptions} from '../cli/signals.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {createAppStore} from '../store/create-app-store.js';
import {StoreProvider} from '../store/store-context.js';
import {App} from './app.js';

/** Enters the alternate screen and hides the cursor; the returned function undoes both, once. */
export function enterFullScreen(stream: NodeJS.WriteStream): () => void {
	stream.write('\u001B[?1049h\u001B[?25l');
	let restored = false;
	return () => {
		if (!restored) {
			restored = true;
			stream.write('\u001B[?25h\u001B[?1049l');
		}
	};
}

/**
The full-screen TUI over the same session as the headless mode. Every way out — q, Ctrl-C,
SIGTERM, SIGHUP, an uncaught error — stops the engine (every agent's group killed), saves, and
restores the terminal before the process ends.
*/
export async function runTui(options: {
	readonly config: ResolvedConfig;
	readonly agentsFlag: boolean;
}): Promise<number> {
	const {config} = options;
	const session = await openSession(options);
	const {bus, engine, monitor} = session;
	const store = createAppStore({
		config,
		controls: engine,
		isEnabled: session.enabledAtStart,
		previousDurationsMs: monitor
			.cycleDurationsS()
			.map(seconds => seconds * 1000),
	});
	bus.listen(store.getState().apply);
	monitor.announceHealth();
	session.announceWarnings();

	// Ink 6 has no alternate-screen option: we write the sequences, and undo them on every exit.
	const restore = enterFullScreen(process.stdout);
	process.once('exit', restore);

	let quitting: Promise<void> | undefined;
	let resolveDone: () => void = () => undefined;
	const done = new Promise<void>(resolve => {
		resolveDone = resolve;
	});
	const quit = async () => {
		quitting ??= (async () => {
			try {
				await engine.stop();
				await session.close();
			} finally {
				instance.unmount();
				restore();
				resolveDone();
			}
		})();
		return quitting;
	};

	const onCrash = (error: unknown) => {
		// Leave the terminal as we found it: out of raw mode, main screen, cursor shown.
		try {
			instance.unmount();
		} catch {
			process.stdin.setRawMode?.(false);
		}

		restore();
		process.stderr.write(
			`moondev-tui: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		// Still stop the agents and release the lock if that can be done in a few seconds.
		const cleanUp = (async () => {
			await engine.stop();
			await session.close();
		})();
		const deadline = setTimeout$(
			config.orchestrator.killGraceSeconds * 1000 + 3000,
		);
		void Promise.race([cleanUp, deadline])
			.catch(() => undefined)
			.finally(() => {
				// eslint-disable-next-line unicorn/no-process-exit -- the app is broken: leave, terminal restored
				process.exit(1);
			});
	};

	process.once('uncaughtException', onCrash);
	process.once('unhandledRejection', onCrash);
	const interruption = handleInterruptions(() => {
		void quit();
	});
	const instance = render(
		<StoreProvider store={store}>
			<App
				onQuit={() => {
					void quit();
				}}
			/>
		</StoreProvider>,
		{exitOnCtrlC: false, maxFps: 30, patchConsole: true},
	);

	void engine.run().catch(onCrash);
	await done;
	interruption.dispose();
	process.off('uncaughtException', onCrash);
	process.off('unhandledRejection', onCrash);
	return interruption.exitCode() ?? exitCodes.ok;
}
