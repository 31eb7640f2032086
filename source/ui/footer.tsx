import {Text} from 'ink';
import {type FooterKey, fitKeys, fitQuestion} from './fit-line.js';
import {fit} from './format.js';

export type FooterProps = {
	readonly mode: 'main' | 'log' | 'metrics';
	/**
	A question waiting for y/n, shown instead of the keys: its words, or its forms from the
	longest to the shortest (the first that fits is shown).
	*/
	readonly prompt: string | readonly string[] | undefined;
	/** A word about the last key, shown instead of the keys until the next one. */
	readonly notice?: string | undefined;
	/** Attached to a running engine: q detaches, S stops the engine. */
	readonly isAttached?: boolean;
	/** Columns to fit in; the keys that matter least go first. @default no limit */
	readonly width?: number;
};

/** The keys of the main view; the lowest rank goes first when the line is short of room. */
function mainKeys(isAttached: boolean): FooterKey[] {
	return [
		{text: '↑↓ select', rank: 6},
		{text: 'space on/off', rank: 5},
		{text: 'p pause', rank: 3},
		{text: 'f force', rank: 1},
		{text: '⏎ log', rank: 4},
		{text: 'm metrics', rank: 0},
		{text: 'x cancel', rank: 2},
		{text: '? help'},
		...(isAttached
			? [{text: 'q detach'}, {text: 'S stop engine', rank: 0}]
			: [{text: 'q quit'}]),
	];
}

function metricsKeys(isAttached: boolean): FooterKey[] {
	return [
		{text: '↑↓ select agent', rank: 1},
		{text: 'esc back'},
		{text: '? help'},
		{text: isAttached ? 'q detach' : 'q quit'},
	];
}

function logKeys(isAttached: boolean): FooterKey[] {
	return [
		{text: '↑↓ scroll', rank: 4},
		{text: 'PgUp/PgDn page', rank: 2},
		{text: 'g/G top/follow', rank: 1},
		{text: '/ search', rank: 3},
		{text: 't time', rank: 0},
		{text: 'o pager', rank: 0},
		{text: 'n/N older/newer', rank: 0},
		{text: 'esc back'},
		{text: '? help'},
		{text: isAttached ? 'q detach' : 'q quit'},
	];
}

/** The keys of the current view, or the pending question, in one line. */
export function Footer({
	mode,
	prompt,
	notice,
	isAttached = false,
	width = Number.POSITIVE_INFINITY,
}: FooterProps) {
	const forms = typeof prompt === 'string' ? [prompt] : (prompt ?? []);
	if (forms.some(Boolean)) {
		return (
			<Text bold wrap="truncate" color="yellow">
				{fitQuestion(forms.filter(Boolean), width)}
			</Text>
		);
	}

	if (notice) {
		return (
			<Text color="yellow" wrap="truncate">
				{Number.isFinite(width) ? fit(notice, width).trimEnd() : notice}
			</Text>
		);
	}

	return (
		<Text dimColor wrap="truncate">
			{fitKeys(
				mode === 'log'
					? logKeys(isAttached)
					: mode === 'metrics'
						? metricsKeys(isAttached)
						: mainKeys(isAttached),
				width,
			)}
		</Text>
	);
}
