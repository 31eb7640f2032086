/*
The one-line parts of the screen — the header, the footer's keys and its questions — shortened to
a width in a fixed order, so that no line ever wraps. Pure, so every width is tested without a
terminal. A character counts as one column (the screen's own text has no wide characters).
*/
import {columnsOf, fit} from './format.js';

/** A text with the shorter form it takes when the line is short of room. */
export type LongAndShort = {readonly long: string; readonly short: string};

export type HeaderInput = {
	readonly columns: number;
	readonly demo: boolean;
	readonly cycle: number;
	/** "RUNNING phase 2/2 parallel", short "RUNNING 2/2". */
	readonly state: LongAndShort;
	/** "(pausing after this cycle)", short "(pausing)"; "(next cycle queued)", short "(queued)". */
	readonly notes: readonly LongAndShort[];
	readonly last: string;
	readonly average: string;
	/** Shown at the right end, shortened from its start, when there is room. */
	readonly configFile: string;
};

/** What the header shows: left, the name, the cycle, its state and notes; right, the times and the config file. */
export type HeaderPlan = {
	readonly state: string;
	readonly notes: readonly string[];
	/** "last 5.4s · avg 5.2s", "avg 5.2s" or nothing. */
	readonly times: string;
	/** The config file, shortened from its start, or nothing. */
	readonly configFile: string;
};

/** The fewest columns of a config file worth showing: "…/.config/moondev.json" is 23. */
export const minimumPathWidth = 16;

/** The gap between the header's two halves. */
const headerGap = 2;

/** The left half before the state: "moondev-tui", the " DEMO " mark, " cycle 12 ". */
function leadOf(input: HeaderInput): number {
	return (
		columnsOf('moondev-tui') +
		(input.demo ? columnsOf('  DEMO ') : 0) +
		columnsOf(` cycle ${input.cycle} `)
	);
}

/** The right half of a plan, as shown. */
export function headerRight(plan: HeaderPlan): string {
	return [plan.times, plan.configFile].filter(Boolean).join(' · ');
}

function headerWidth(plan: HeaderPlan, lead: number): number {
	const right = columnsOf(headerRight(plan));
	return (
		lead +
		columnsOf(plan.state) +
		plan.notes.reduce((sum, note) => sum + 1 + columnsOf(note), 0) +
		(right > 0 ? headerGap + right : 0)
	);
}

/**
The header at a width. What gives way, in order: the config file is shortened from its start,
then goes; the notes take their short forms; "last" goes from the times, then the times; the state
takes its short form; the notes go. The name, the DEMO mark and the cycle number always stay.
*/
export function planHeader(input: HeaderInput): HeaderPlan {
	const lead = leadOf(input);
	const fits = (plan: HeaderPlan) => headerWidth(plan, lead) <= input.columns;
	const full: HeaderPlan = {
		state: input.state.long,
		notes: input.notes.map(note => note.long),
		times: `last ${input.last} · avg ${input.average}`,
		configFile: input.configFile,
	};
	if (fits(full)) {
		return full;
	}

	const noFile = {...full, configFile: ''};
	const room = input.columns - headerWidth(noFile, lead) - columnsOf(' · ');
	if (input.configFile !== '' && room >= minimumPathWidth) {
		return {...full, configFile: shortenPath(input.configFile, room)};
	}

	const shortNotes = {...noFile, notes: input.notes.map(note => note.short)};
	const average = {...shortNotes, times: `avg ${input.average}`};
	const noTimes = {...average, times: ''};
	const shortState = {...noTimes, state: input.state.short};
	const noNotes = {...shortState, notes: []};
	return (
		[noFile, shortNotes, average, noTimes, shortState].find(plan =>
			fits(plan),
		) ?? noNotes
	);
}

/** A path in `width` columns: its end kept, from a folder's start where it can. */
export function shortenPath(path: string, width: number): string {
	const characters = [...path];
	if (characters.length <= width) {
		return path;
	}

	if (width <= 1) {
		return fit(path, width);
	}

	const tail = characters.slice(characters.length - (width - 1)).join('');
	const folder = tail.indexOf('/');
	// From the start of a folder, unless that leaves less than half of what there is room for.
	return folder > 0 && folder < width / 2
		? `…${tail.slice(folder)}`
		: `…${tail}`;
}

/** A key and what it does, in the footer; `rank` orders which go first when there is no room. */
export type FooterKey = {
	readonly text: string;
	/** The lower, the sooner it goes; none: it stays. */
	readonly rank?: number;
};

/** The keys in `width` columns: the lowest ranks go first, and what stays keeps its order. */
export function fitKeys(keys: readonly FooterKey[], width: number): string {
	const join = (shown: readonly FooterKey[]) =>
		shown.map(key => key.text).join('  ');
	let shown = keys;
	const byRank = keys
		.filter(key => key.rank !== undefined)
		.toSorted((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
	for (const key of byRank) {
		if (columnsOf(join(shown)) <= width) {
			break;
		}

		shown = shown.filter(other => other !== key);
	}

	const line = join(shown);
	return columnsOf(line) <= width ? line : fit(line, width).trimEnd();
}

const yesNo = ' (y/n)';

/**
A question and its "(y/n)" in `width` columns: the first of its forms that fits, else the
shortest cut; the "(y/n)" is never cut.
*/
export function fitQuestion(forms: readonly string[], width: number): string {
	const room = width - columnsOf(yesNo);
	const form =
		forms.find(text => columnsOf(text) <= room) ??
		fit(forms.at(-1) ?? '', Math.max(1, room)).trimEnd();
	return `${form}${yesNo}`;
}
