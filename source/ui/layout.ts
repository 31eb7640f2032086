/*
How the screen's rows are shared at a terminal's size, and how the help fits in its part. Pure,
so every size is tested without a terminal.
*/

/** The smallest terminal every part of the screen fits in; below it, a "too small" message. */
export const minimumSize = {columns: 60, rows: 15} as const;

export type ScreenRows = {
	/** Rows between the header's margin and the footer: the log view's and the help's. */
	readonly body: number;
	/** The agents panel, its row of labels included. */
	readonly table: number;
	/** Alerts under their title. */
	readonly alerts: number;
};

/** The rows of the agents panel's labels, the cycle timings and the row above them, the alerts' title. */
const aroundTheAgents = 4;

/**
The rows of each part, for `rows` rows to draw in (the terminal's less one: see
use-terminal-size.ts): a header of one line (two while halted) and a blank one, the body, the
footer. In the body, the agents get a row each as far as the alerts keep 2; the alerts get
what is left, up to 6.
*/
export function screenRows({
	rows,
	agents,
	isHalted,
}: {
	readonly rows: number;
	readonly agents: number;
	readonly isHalted: boolean;
}): ScreenRows {
	const body = Math.max(1, rows - (isHalted ? 2 : 1) - 2);
	const alerts = Math.max(2, Math.min(6, body - aroundTheAgents - agents));
	return {
		body,
		table: Math.max(2, body - aroundTheAgents + 1 - alerts),
		alerts,
	};
}

export type HelpLayout = {
	/** A rounded border with a space inside each side, or none. */
	readonly isBordered: boolean;
	/** The keys in one column, or in two side by side (the first half left). */
	readonly columns: 1 | 2;
	/** Columns of a key's name, its gap included. */
	readonly keysWidth: number;
	/** Columns of what a key does: its long words where they fit, else its short ones. */
	readonly whatWidth: number;
	/** Rows of keys shown (fewer than there are only where even two columns do not fit). */
	readonly rows: number;
};

/**
The help's layout for `count` keys in `width` × `height`: bordered in one column where it fits,
then one column without the border, then two columns of short words; a title line above.
*/
export function helpLayout(
	count: number,
	width: number,
	height: number,
): HelpLayout {
	// Two rows of border and the title.
	if (height >= count + 3 && width >= 40) {
		return {
			isBordered: true,
			columns: 1,
			keysWidth: 12,
			whatWidth: width - 4 - 12,
			rows: count,
		};
	}

	if (height >= count + 1) {
		return {
			isBordered: false,
			columns: 1,
			keysWidth: 12,
			whatWidth: width - 12,
			rows: count,
		};
	}

	const half = Math.ceil(count / 2);
	return {
		isBordered: false,
		columns: 2,
		keysWidth: 11,
		// Two spaces between the columns.
		whatWidth: Math.floor((width - 2) / 2) - 11,
		rows: Math.max(1, Math.min(half, height - 1)),
	};
}
