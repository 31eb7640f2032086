import {Box, Text, useInput} from 'ink';
import {useCallback, useEffect, useRef, useState} from 'react';
import {useAppStore, useAppStoreApi} from '../store/store-context.js';
import {AgentTable} from './agent-table.js';
import {AlertsPanel} from './alerts-panel.js';
import {WorkersLine} from './workers-line.js';
import {CycleTimings} from './cycle-timings.js';
import {Footer} from './footer.js';
import {Header} from './header.js';
import {HelpOverlay} from './help-overlay.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {
	handleKey,
	initialView,
	type KeyPress,
	plainKey,
	type ViewState,
} from './key-map.js';
import {screenRows, minimumSize as minimumTerminal} from './layout.js';
import {LogView} from './log-view.js';
import {MetricsView} from './metrics-view.js';

export type AppProps = {
	/** Stops the engine, saves, restores the terminal and exits (attached: detaches). */
	readonly onQuit: () => void;
	/** Set when attached to an engine that runs on its own (`attach`): stops it, once confirmed. */
	readonly onStopEngine?: () => void;
	/**
	Opens the agent's log file in `$PAGER` (`o` in the log view); the app is drawn again afterwards
	from `view`. Without it, `o` says that the log file is not at hand.
	*/
	readonly onOpenLog?: (agent: string, view: ViewState) => void;
	/** The view to start in: the one left for the pager, on coming back. */
	readonly initialView?: ViewState | undefined;
};

/** The smallest terminal every part of the screen fits in (rows here: the terminal's less one). */
export const minimumSize = {
	columns: minimumTerminal.columns,
	rows: minimumTerminal.rows - 1,
} as const;

/**
The full-screen monitor: header, agents, cycle timings, alerts and the key footer; the log view
and the help overlay replace the body. It reads the store and calls its actions, nothing else.
*/
export function App({
	onQuit,
	onStopEngine,
	onOpenLog,
	initialView: startView = initialView,
}: AppProps) {
	const attached = onStopEngine !== undefined;
	const {columns, rows} = useTerminalSize();
	const store = useAppStoreApi();
	const names = useAppStore(state => state.agentOrder);
	const cycleHalted = useAppStore(state => state.cycle.halted);
	const hasWorkers = useAppStore(state => state.workers !== undefined);
	// The view state lives in a ref as well, so that keys typed faster than a frame see each other.
	const viewRef = useRef<ViewState>(startView);
	const [view, setView] = useState<ViewState>(startView);
	const page = Math.max(1, rows - 6);

	const onOneKey = useCallback(
		(input: string, key: KeyPress) => {
			const state = store.getState();
			const {view: next, command} = handleKey({
				view: viewRef.current,
				input,
				key,
				store: state,
				page,
				attached,
			});
			viewRef.current = next;
			setView(next);
			switch (command?.type) {
				case 'quit': {
					onQuit();
					break;
				}

				case 'stop-engine': {
					onStopEngine?.();
					break;
				}

				case 'pause': {
					state.togglePause();
					break;
				}

				case 'force': {
					state.forceCycle();
					break;
				}

				case 'toggle': {
					state.toggleAgent(command.agent, command.confirmed);
					break;
				}

				case 'cancel': {
					state.cancelAgent(command.agent);
					break;
				}

				case 'open-log': {
					if (onOpenLog) {
						onOpenLog(command.agent, next);
					} else {
						viewRef.current = {...next, notice: 'no log file here to open'};
						setView(viewRef.current);
					}

					break;
				}

				case undefined: {
					break;
				}
			}
		},
		[attached, onOpenLog, onQuit, onStopEngine, page, store],
	);
	// Keys typed faster than stdin is read arrive as one string ("jj "): take them one by one.
	const onKey = useCallback(
		(input: string, key: KeyPress) => {
			if (input.length > 1 && !key.ctrl && !input.startsWith('\u001B')) {
				// Ink reports no key flags for such a chunk: an Enter inside it is only "\r".
				for (const character of input) {
					onOneKey(character, {
						...plainKey,
						return: character === '\r',
						backspace: character === '\u007F' || character === '\b',
					});
				}
			} else {
				onOneKey(input, key);
			}
		},
		[onOneKey],
	);
	useInput(onKey);
	const {mode, selected, logOffset, logAnchor, notice} = view;
	// The cancel question is moot once its agent has ended by itself.
	const cancelMoot = useAppStore(state =>
		view.confirm?.kind === 'cancel'
			? state.agents[view.confirm.agent]?.status !== 'running'
			: false,
	);
	useEffect(() => {
		if (cancelMoot && viewRef.current.confirm?.kind === 'cancel') {
			viewRef.current = {...viewRef.current, confirm: undefined};
			setView(viewRef.current);
		}
	}, [cancelMoot]);
	const confirm = cancelMoot ? undefined : view.confirm;
	const selectedName = names[Math.min(selected, names.length - 1)] ?? '';

	const prompt = promptOf(confirm);
	if (columns < minimumSize.columns || rows < minimumSize.rows) {
		// Too small to draw: say so, and still ask what q (or x, or space) asked.
		return (
			<Box flexDirection="column">
				<Text>
					Terminal too small ({columns}×{rows + 1}); moondev-tui needs{' '}
					{minimumTerminal.columns}×{minimumTerminal.rows}. q quits.
				</Text>
				{prompt ? (
					<Text bold color="yellow">
						{prompt[0]} (y/n)
					</Text>
				) : null}
			</Box>
		);
	}

	// The workers' line takes an alert's row: every size stays whole.
	const space = screenRows({
		rows,
		agents: names.length,
		isHalted: cycleHalted,
	});
	return (
		<Box flexDirection="column" width={columns} height={rows}>
			<Header columns={columns} />
			<Box flexDirection="column" flexGrow={1} marginTop={1}>
				{mode === 'help' ? (
					<HelpOverlay
						isAttached={attached}
						width={columns}
						height={space.body}
					/>
				) : null}
				{mode === 'log' ? (
					<LogView
						agent={selectedName}
						offset={logOffset}
						anchor={logAnchor}
						height={space.body}
						search={view.search}
						hasTimestamps={view.timestamps === true}
					/>
				) : null}
				{mode === 'metrics' ? (
					<MetricsView
						agent={selectedName}
						height={space.body}
						width={columns}
					/>
				) : null}
				{mode === 'main' ? (
					<>
						<AgentTable
							selected={selected}
							width={columns}
							height={space.table}
						/>
						<Box marginTop={1}>
							<CycleTimings width={columns} />
						</Box>
						<WorkersLine />
						<AlertsPanel count={space.alerts - (hasWorkers ? 1 : 0)} />
					</>
				) : null}
			</Box>
			<Footer
				mode={mode === 'log' || mode === 'metrics' ? mode : 'main'}
				prompt={prompt}
				notice={notice}
				isAttached={attached}
				width={columns}
			/>
		</Box>
	);
}

/** The pending question, from its longest form to its shortest: the footer shows the first that fits. */
function promptOf(
	confirm: ViewState['confirm'],
): readonly string[] | undefined {
	switch (confirm?.kind) {
		case 'quit': {
			return [
				'A cycle is running: quit and kill its agents?',
				'Quit and kill the running agents?',
			];
		}

		case 'cancel': {
			return [`Cancel ${confirm.agent}?`];
		}

		case 'disable-critical': {
			return [
				`Turn off critical ${confirm.agent} for the next cycle? It trades unguarded.`,
				`Turn off critical ${confirm.agent} for the next cycle (unguarded)?`,
				`Turn off critical ${confirm.agent}?`,
			];
		}

		case 'stop-engine': {
			return [
				'Stop the engine? Its agents get their grace; no cycle runs until it is started again.',
				'Stop the engine? Its agents get their grace.',
				'Stop the engine?',
			];
		}

		case undefined: {
			return undefined;
		}
	}
}
