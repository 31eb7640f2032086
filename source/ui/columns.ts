/*
Which columns of the agents panel a width has room for, and how wide each is. Pure, so every
width is tested without a terminal. The rule: a row is never wider than the terminal less its
last column, and the status keeps at least `minimumStatusWidth` columns; when it would get
fewer, the next column in `dropOrder` goes (docs/tui.md lists the result per width). The name,
the status icon, the health badge and the status stay at every width.
*/
import {fit} from './format.js';

export type AgentColumns = {
	/** `CRIT` or the phase. */
	readonly tag: boolean;
	/** `on` / `off`. */
	readonly onOff: boolean;
	/** Cells of the progress bar, its percent label not included; 0 is no bar at all. */
	readonly barWidth: number;
	/** The elapsed time, or the last duration. */
	readonly time: boolean;
	/** The attempt out of the attempts allowed. */
	readonly attempt: boolean;
	/** The health badge's column, its gap included. */
	readonly healthWidth: number;
	/** Whether the badge shows the average duration after the success rate. */
	readonly healthAverage: boolean;
	/** What is left for the status word and the agent's message. */
	readonly statusWidth: number;
};

/** Columns of each part of a row (each with the gap after it). */
export const columnWidth = {
	/** The selection marker and a space, then the status icon in 2. */
	lead: 4,
	/** 12 of name and a space. */
	name: 13,
	tag: 5,
	onOff: 4,
	/** The percent label after the bar's cells: " 100%" or " ~38%". */
	barLabel: 5,
	/** A space and 7 of time. */
	time: 8,
	attempt: 5,
} as const;

/** Enough for the longest status word, `cancelled`. */
export const minimumStatusWidth = 9;

/** The terminal's last column is left empty, as a margin. */
const rightMargin = 1;

/** From this width on, the wide layout: a 16-cell bar and the health badge's average time. */
export const wideWidth = 100;

type Layout = Omit<AgentColumns, 'statusWidth'>;

const wide: Layout = {
	tag: true,
	onOff: true,
	barWidth: 16,
	time: true,
	attempt: true,
	healthWidth: 20,
	healthAverage: true,
};

const narrow: Layout = {
	...wide,
	barWidth: 10,
	healthWidth: 15,
	healthAverage: false,
};

/** What goes, in order, as the width shrinks below the narrow layout's. */
export const dropOrder: ReadonlyArray<{
	readonly what: string;
	readonly apply: (layout: Layout) => Layout;
}> = [
	{what: 'the tag', apply: layout => ({...layout, tag: false})},
	{what: 'on/off', apply: layout => ({...layout, onOff: false})},
	{what: 'the attempt', apply: layout => ({...layout, attempt: false})},
	{what: 'half the bar', apply: layout => ({...layout, barWidth: 5})},
	{what: 'the time', apply: layout => ({...layout, time: false})},
	{what: 'the bar', apply: layout => ({...layout, barWidth: 0})},
];

/** The columns a layout takes before the status. */
function fixedWidth(layout: Layout): number {
	return (
		columnWidth.lead +
		columnWidth.name +
		(layout.tag ? columnWidth.tag : 0) +
		(layout.onOff ? columnWidth.onOff : 0) +
		(layout.barWidth > 0 ? layout.barWidth + columnWidth.barLabel : 0) +
		(layout.time ? columnWidth.time : 0) +
		(layout.attempt ? columnWidth.attempt : 0) +
		layout.healthWidth
	);
}

/** The columns of the agents panel at `width` terminal columns. */
export function agentColumns(width: number): AgentColumns {
	let layout = width >= wideWidth ? wide : narrow;
	for (const step of dropOrder) {
		if (fixedWidth(layout) + minimumStatusWidth + rightMargin <= width) {
			break;
		}

		layout = step.apply(layout);
	}

	return {
		...layout,
		statusWidth: Math.max(0, width - rightMargin - fixedWidth(layout)),
	};
}

/** The columns the bar, the time and the attempt take together: where "not due" is written. */
export function scheduleWidth(columns: AgentColumns): number {
	return (
		(columns.barWidth > 0 ? columns.barWidth + columnWidth.barLabel : 0) +
		(columns.time ? columnWidth.time : 0) +
		(columns.attempt ? columnWidth.attempt : 0)
	);
}

/**
The labels over the columns, each where its column starts. When not every agent has a row, the
name's label counts those above and below: `AGENT ↑2 ↓3`.
*/
export function columnLabels(
	columns: AgentColumns,
	hidden?: {readonly above: number; readonly below: number},
): string {
	const above = hidden?.above ?? 0;
	const below = hidden?.below ?? 0;
	const agent = [
		'AGENT',
		above > 0 ? `↑${above}` : '',
		below > 0 ? `↓${below}` : '',
	]
		.filter(Boolean)
		.join(' ');
	return [
		' '.repeat(columnWidth.lead),
		fit(agent, columnWidth.name - 1),
		' ',
		columns.tag ? 'TAG'.padEnd(columnWidth.tag) : '',
		columns.onOff ? 'ON'.padEnd(columnWidth.onOff) : '',
		columns.barWidth > 0
			? 'PROGRESS'.padEnd(columns.barWidth + columnWidth.barLabel)
			: '',
		// The time is right of a space.
		columns.time ? ' TIME'.padEnd(columnWidth.time) : '',
		columns.attempt ? 'TRY'.padEnd(columnWidth.attempt) : '',
		'HEALTH'.padEnd(columns.healthWidth),
		'STATUS',
	].join('');
}

/**
"not due · next 14:05" in `width` columns: shorter forms when it does not fit, "not due" first in
each, so the state is always read.
*/
export function notDueText(next: string | undefined, width: number): string {
	const forms =
		next === undefined
			? ['not due']
			: [`not due · next ${next}`, `not due · ${next}`, 'not due'];
	return forms.find(form => [...form].length <= width) ?? 'not due';
}
