import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {ConfigError} from '../config/config-error.js';
import type {ControlOp} from '../control/protocol.js';
import type {EngineStopEvent} from '../contract/events.js';
import {createAppStore, type StoreControls} from '../store/create-app-store.js';
import {StoreProvider} from '../store/store-context.js';
import {App} from '../ui/app.js';
import type {ViewState} from '../ui/key-map.js';
import {askYesNo} from './ask.js';
import {exitCodes} from './exit-codes.js';
import {type Attachment, openAttachment} from './attach-connection.js';
import {findEngine, type FoundEngine} from './find-engine.js';
import type {RawFlags} from './flags.js';
import {pageLog} from './pager.js';
import {superviseProcess} from './process-lifecycle.js';
import {openScreen, type Screen} from './screen.js';

type Ending =
	| {readonly kind: 'detached'; readonly code: number}
	| {readonly kind: 'stopped'}
	| {readonly kind: 'gone'; readonly last: EngineStopEvent | undefined};

/**
`attach`: the full TUI on an engine that runs on its own. Its store starts from the engine's
snapshot and is fed the engine's events through the same reducer, so both screens agree; the keys
send the same controls over the socket. `q` detaches and the engine goes on; `S` stops it, asked
first. When the engine goes away, the screen says so and offers to wait for it to come back.
*/
export async function runAttach(
	flags: RawFlags,
	first: {
		readonly engine: FoundEngine;
		/** Started before this module (and Ink) loaded. */
		readonly attachment: Promise<Attachment>;
	},
): Promise<number> {
	let {engine, attachment} = first;
	for (;;) {
		// eslint-disable-next-line no-await-in-loop -- one attachment after another
		const ending = await attachTo(await attachment, engine);
		if (ending.kind === 'detached') {
			return ending.code;
		}

		if (ending.kind === 'stopped') {
			process.stderr.write(`engine pid ${engine.pid} stopped\n`);
			return exitCodes.ok;
		}

		const why = ending.last
			? ending.last.reason === 'signal'
				? ` (${ending.last.signal ?? 'a signal'})`
				: ending.last.reason === 'error'
					? ` (error: ${ending.last.error ?? '?'})`
					: ` (${ending.last.reason})`
			: ' (without a word: it may have been killed)';
		process.stderr.write(`the engine, pid ${engine.pid}, stopped${why}\n`);
		// eslint-disable-next-line no-await-in-loop
		if (!(await askYesNo('Wait for it to start again? [y/N] '))) {
			return exitCodes.ok;
		}

		process.stderr.write('waiting for the engine… (Ctrl-C gives up)\n');
		// eslint-disable-next-line no-await-in-loop
		engine = await untilRunning(flags);
		attachment = openAttachment(engine);
	}
}

async function untilRunning(flags: RawFlags): Promise<FoundEngine> {
	for (;;) {
		try {
			return findEngine(flags);
		} catch (error) {
			if (!(error instanceof ConfigError)) {
				throw error;
			}
		}

		// eslint-disable-next-line no-await-in-loop -- polling for an engine is waiting for it
		await delay(500);
	}
}

async function attachTo(
	{connection, snapshot}: Attachment,
	engine: FoundEngine,
): Promise<Ending> {
	const send = (op: ControlOp, fields?: {agent: string; yes?: boolean}) => {
		void connection.request(op, fields).then(answer => {
			if (!answer.ok) {
				// Said on this screen only: the engine did nothing.
				store.getState().apply({
					type: 'alert',
					time: new Date().toISOString(),
					level: 'warning',
					message: `the engine refused ${op}: ${answer.error}`,
				});
			}
		});
	};

	const controls: StoreControls = {
		pause() {
			send('pause');
		},
		resume() {
			send('resume');
		},
		forceCycle() {
			send('force');
		},
		// Yes only when said on this screen: a screen that has not yet seen an agent become critical
		// (a reload) asked nothing, and the engine must then refuse.
		setEnabled(agent, enabled, options) {
			send(enabled ? 'enable' : 'disable', {
				agent,
				...(options?.confirmed ? {yes: true} : {}),
			});
		},
		cancelAgent(agent) {
			send('cancel', {agent});
			return true;
		},
	};
	const store = createAppStore({snapshot, controls});
	let last: EngineStopEvent | undefined;
	connection.onEvent(event => {
		if (event.type === 'engine_stop') {
			last = event;
		}

		store.getState().apply(event);
	});

	const lifecycle = superviseProcess({crashDeadlineMs: 1000});
	const ui: {screen?: Screen} = {};
	const leaveTerminal = () => {
		ui.screen?.leave();
	};

	lifecycle.beforeCrashReport(leaveTerminal);
	lifecycle.atExit(leaveTerminal);
	let stopAsked = false;
	const ending = await new Promise<Ending>(resolve => {
		const detach = () => {
			resolve({kind: 'detached', code: exitCodes.ok});
		};

		lifecycle.onStop(detach);
		connection.onClose(() => {
			resolve(stopAsked ? {kind: 'stopped'} : {kind: 'gone', last});
		});
		// The engine's log files are on this machine, in the folder it owns (attach runs beside it).
		const logs =
			engine.metricsFolder === undefined
				? undefined
				: path.join(engine.metricsFolder, 'logs');
		const draw = (view?: ViewState) => (
			<StoreProvider store={store}>
				<App
					initialView={view}
					onQuit={detach}
					onStopEngine={() => {
						stopAsked = true;
						void connection.request('stop');
					}}
					{...(logs === undefined
						? {}
						: {
								onOpenLog(agent: string, from: ViewState) {
									void ui.screen?.lend(
										async signal =>
											pageLog(logs, agent, {lifecycle, signal, view: from}),
										draw,
									);
								},
							})}
				/>
			</StoreProvider>
		);
		ui.screen = openScreen(draw());
	});
	leaveTerminal();
	connection.close();
	lifecycle.dispose();
	// A signal (the SSH session closed) detaches too: the engine goes on, this ends as signalled.
	const signalled = lifecycle.exitCode();
	return signalled === undefined ? ending : {kind: 'detached', code: signalled};
}
