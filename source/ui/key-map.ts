import type {AppStore} from '../store/create-app-store.js';
import {escapeControls} from '../util/escape-text.js';
import {matchingLines, nextMatch} from './log-search.js';

/** The view's own state: what the keys move. */
export type ViewState = {
	readonly mode: 'main' | 'log' | 'help' | 'metrics';
	readonly selected: number;
	/** Lines scrolled up from the bottom of the log; 0 follows. */
	readonly logOffset: number;
	/**
	The agent's line count when the log was scrolled away from the bottom: lines printed since
	shift the window by as many, so what is being read stays put.
	*/
	readonly logAnchor: number | undefined;
	/** A word for the user about the last key (nothing to cancel), gone with the next key. */
	readonly notice?: string | undefined;
	/** `/` in the log view: the query, and whether it is still being typed. */
	/** The log view shows each line's time (`t`). */
	readonly timestamps?: boolean | undefined;
	readonly search?:
		{readonly query: string; readonly editing: boolean} | undefined;
	readonly confirm:
		| {readonly kind: 'quit'}
		| {readonly kind: 'cancel'; readonly agent: string}
		| {readonly kind: 'disable-critical'; readonly agent: string}
		| {readonly kind: 'stop-engine'}
		| undefined;
};

export const initialView: ViewState = {
	mode: 'main',
	selected: 0,
	logOffset: 0,
	logAnchor: undefined,
	confirm: undefined,
};

/** The keys Ink reports that we use (Ink's `Key` has these and more). */
export type KeyPress = {
	readonly upArrow: boolean;
	readonly downArrow: boolean;
	readonly pageUp: boolean;
	readonly pageDown: boolean;
	readonly escape: boolean;
	readonly return: boolean;
	readonly ctrl: boolean;
	readonly backspace?: boolean;
	readonly delete?: boolean;
};

/** A key press with no special key. */
export const plainKey: KeyPress = {
	upArrow: false,
	downArrow: false,
	pageUp: false,
	pageDown: false,
	escape: false,
	return: false,
	ctrl: false,
};

/** One key press and what it is read against. */
export type KeyInput = {
	readonly view: ViewState;
	readonly input: string;
	readonly key: KeyPress;
	/** The store as it is now. */
	readonly store: Pick<AppStore, 'agentOrder' | 'agents' | 'cycle'>;
	/** Lines in a page of the log view. */
	readonly page: number;
	/** Attached to an engine that runs on its own: q detaches at once, S stops the engine. */
	readonly attached?: boolean;
};

/** What a key asks of the engine (through the store's actions) or of the app. */
export type Command =
	| {
			readonly type: 'toggle';
			readonly agent: string;
			/** Turning off a critical agent, said yes to. */
			readonly confirmed?: boolean;
	  }
	| {readonly type: 'cancel'; readonly agent: string}
	| {readonly type: 'pause'}
	| {readonly type: 'force'}
	| {readonly type: 'quit'}
	| {readonly type: 'stop-engine'}
	/** The agent's log file in `$PAGER`, which has the terminal meanwhile. */
	| {readonly type: 'open-log'; readonly agent: string};

/**
One key press: the next view state and the command to run, from the store's state as it is now.
Pure, so that fast typing (j then space) acts on the agent the j selected, and so it is tested
without a terminal.
*/
export function handleKey({
	view: previous,
	input,
	key,
	store,
	page,
	attached = false,
}: KeyInput): {
	view: ViewState;
	command?: Command;
} {
	// A notice answers one key: the next one clears it.
	const view: ViewState =
		previous.notice === undefined ? previous : {...previous, notice: undefined};
	const names = store.agentOrder;
	const agent = names[Math.min(view.selected, names.length - 1)] ?? '';
	if (key.ctrl && input === 'c') {
		return {view, command: {type: 'quit'}};
	}

	if (view.confirm) {
		const yes = input === 'y' || input === 'Y';
		const command: Command | undefined = yes
			? commandConfirmed(view.confirm)
			: undefined;
		return {view: {...view, confirm: undefined}, ...(command ? {command} : {})};
	}

	// Typing a search: every key is part of the query (q, p, x and f included).
	if (view.mode === 'log' && view.search?.editing) {
		return {
			view: typeSearch(view, input, key, {store, agent}),
		};
	}

	if (view.mode === 'help') {
		return key.escape || input === '?' || input === 'q'
			? {view: {...view, mode: 'main'}}
			: {view};
	}

	switch (input) {
		case '?': {
			return {view: {...view, mode: 'help'}};
		}

		case 'q': {
			// Detaching leaves the engine and its agents as they are: nothing to ask.
			return store.cycle.running && !attached
				? {view: {...view, confirm: {kind: 'quit'}}}
				: {view, command: {type: 'quit'}};
		}

		case 'S': {
			return attached
				? {view: {...view, confirm: {kind: 'stop-engine'}}}
				: {view};
		}

		case 'p': {
			return {view, command: {type: 'pause'}};
		}

		case 'f': {
			return {view, command: {type: 'force'}};
		}

		case 'x': {
			return store.agents[agent]?.status === 'running'
				? {view: {...view, confirm: {kind: 'cancel', agent}}}
				: {
						view: {
							...view,
							notice: `${agent} is not running: nothing to cancel`,
						},
					};
		}

		default: {
			break;
		}
	}

	if (view.mode === 'log') {
		const total = store.agents[agent]?.totalLines ?? 0;
		const log = (next: ViewState): {view: ViewState} => ({
			view: {
				...next,
				logAnchor:
					next.logOffset > 0
						? view.logOffset > 0
							? view.logAnchor
							: total
						: undefined,
			},
		});
		const lines = store.agents[agent]?.recentLines.length ?? 0;
		const scroll = (by: number) => ({
			...view,
			logOffset: Math.max(
				0,
				Math.min(Math.max(0, lines - 1), view.logOffset + by),
			),
		});
		if (input === '/') {
			return {view: {...view, search: {query: '', editing: true}}};
		}

		if (input === 't') {
			return {view: {...view, timestamps: !view.timestamps}};
		}

		if (input === 'o') {
			return {view, command: {type: 'open-log', agent}};
		}

		if ((input === 'n' || input === 'N') && view.search) {
			const found = jumpToMatch(
				view,
				{store, agent},
				input === 'n' ? 'older' : 'newer',
			);
			return found
				? {view: found}
				: {view: {...view, notice: `no line matches "${view.search.query}"`}};
		}

		if (key.escape && view.search) {
			return {view: {...view, search: undefined}};
		}

		if (key.escape || input === 'h') {
			return {view: {...view, mode: 'main', search: undefined}};
		}

		if (key.upArrow || input === 'k') {
			return log(scroll(1));
		}

		if (key.downArrow || input === 'j') {
			return log(scroll(-1));
		}

		if (key.pageUp) {
			return log(scroll(page));
		}

		if (key.pageDown) {
			return log(scroll(-page));
		}

		if (input === 'g') {
			return log({...view, logOffset: Math.max(0, lines - page)});
		}

		return input === 'G' ? log({...view, logOffset: 0}) : {view};
	}

	if (view.mode === 'metrics') {
		if (key.escape || input === 'm' || input === 'h') {
			return {view: {...view, mode: 'main'}};
		}

		// ↑↓ choose whose sparklines are drawn; nothing else of the agent table applies here.
		if (!(key.upArrow || key.downArrow || input === 'k' || input === 'j')) {
			return {view};
		}
	}

	if (input === 'm') {
		return {view: {...view, mode: 'metrics'}};
	}

	if (key.upArrow || input === 'k') {
		return {view: {...view, selected: Math.max(0, view.selected - 1)}};
	}

	if (key.downArrow || input === 'j') {
		return {
			view: {...view, selected: Math.min(names.length - 1, view.selected + 1)},
		};
	}

	if (input === ' ') {
		// Turning the risk gate off, even for one cycle, is asked first.
		const row = store.agents[agent];
		return row?.critical && row.enabled
			? {view: {...view, confirm: {kind: 'disable-critical', agent}}}
			: {view, command: {type: 'toggle', agent}};
	}

	if (key.return || input === 'l') {
		return {view: {...view, mode: 'log', logOffset: 0, logAnchor: undefined}};
	}

	return {view};
}

function commandConfirmed(confirm: NonNullable<ViewState['confirm']>): Command {
	switch (confirm.kind) {
		case 'quit': {
			return {type: 'quit'};
		}

		case 'cancel': {
			return {type: 'cancel', agent: confirm.agent};
		}

		case 'disable-critical': {
			return {type: 'toggle', agent: confirm.agent, confirmed: true};
		}

		case 'stop-engine': {
			return {type: 'stop-engine'};
		}
	}
}

/** The log a search runs in: the store as it is now, and the selected agent. */
type LogContext = {
	readonly store: KeyInput['store'];
	readonly agent: string;
};

/** A key while the search query is typed: a letter adds, backspace takes away, enter searches. */
function typeSearch(
	view: ViewState,
	input: string,
	key: KeyPress,
	log: LogContext,
): ViewState {
	const query = view.search?.query ?? '';
	if (key.escape) {
		return {...view, search: undefined};
	}

	if (key.return) {
		if (query === '') {
			return {...view, search: undefined};
		}

		const searching = {...view, search: {query, editing: false}};
		// From below the newest line: the newest match first.
		return (
			jumpToMatch(searching, log, 'older', true) ?? {
				...searching,
				notice: `no line matches "${query}"`,
			}
		);
	}

	if (key.backspace === true || key.delete === true) {
		return {...view, search: {query: query.slice(0, -1), editing: true}};
	}

	if (key.ctrl || input === '' || input.startsWith('\u001B')) {
		return view;
	}

	return {...view, search: {query: query + input, editing: true}};
}

/**
Scrolls the log so that the next match older (up) or newer (down) than the line at the bottom of
the view is the bottom line; undefined when no line matches.
*/
function jumpToMatch(
	view: ViewState,
	{store, agent}: LogContext,
	direction: 'older' | 'newer',
	fromBelow = false,
): ViewState | undefined {
	const state = store.agents[agent];
	const query = view.search?.query ?? '';
	if (!state || query === '') {
		return undefined;
	}

	const lines = state.recentLines.map(line => escapeControls(line.text));
	// The bottom line of the view, as the log view computes it (scrolled lines shift with new ones).
	const shift =
		view.logOffset > 0 && view.logAnchor !== undefined
			? state.totalLines - view.logAnchor
			: 0;
	const bottom = fromBelow
		? lines.length
		: lines.length - 1 - view.logOffset - shift;
	const target = nextMatch(
		matchingLines(lines, query),
		bottom,
		direction === 'older' ? 'previous' : 'next',
	);
	if (target === undefined) {
		return undefined;
	}

	const offset = lines.length - 1 - target;
	return {
		...view,
		logOffset: offset,
		logAnchor: offset > 0 ? state.totalLines : undefined,
	};
}
