import type {AppStore} from '../store/create-app-store.js';

/** The view's own state: what the keys move. */
export type ViewState = {
	readonly mode: 'main' | 'log' | 'help';
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
	| {readonly type: 'toggle'; readonly agent: string}
	| {readonly type: 'cancel'; readonly agent: string}
	| {readonly type: 'pause'}
	| {readonly type: 'force'}
	| {readonly type: 'quit'}
	| {readonly type: 'stop-engine'};

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
		if (key.escape || input === 'h') {
			return {view: {...view, mode: 'main'}};
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
			return {type: 'toggle', agent: confirm.agent};
		}

		case 'stop-engine': {
			return {type: 'stop-engine'};
		}
	}
}
