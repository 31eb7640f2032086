import {escapeLogLine} from '../util/escape-text.js';
import {formatDuration} from '../util/format.js';

/** "4.2s", "1m 05s", or a dash when unknown. */
export function formatMs(ms: number | undefined): string {
	return ms === undefined ? '—' : formatDuration(ms);
}

/** "in 4m 05s" style countdown, never negative. */
export function formatCountdown(ms: number): string {
	const left = Math.max(0, ms);
	// Past a minute and a half, whole minutes: the screen redraws it only every 10 s.
	return left > 90_000 ? `~${Math.ceil(left / 60_000)}m` : formatDuration(left);
}

/** The columns a text takes: one a character (a code point); the screen's own text has no wide ones. */
export function columnsOf(text: string): number {
	return [...text].length;
}

/**
Cuts a string to `width` columns with an ellipsis, or pads it to `width`. A character is a code
point and one column: the screen's own text has no wide characters, and a surrogate pair is never
cut in half.
*/
export function fit(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	let count = 0;
	// Where the first width - 1 characters end: the cut, when the text is too long.
	let cut = 0;
	for (const character of text) {
		if (count === width) {
			return `${text.slice(0, cut)}…`;
		}

		count++;
		if (count < width) {
			cut += character.length;
		}
	}

	return text + ' '.repeat(width - count);
}

const sparks = '▁▂▃▄▅▆▇█';

/** A sparkline of values, scaled to their maximum. */
export function sparkline(values: readonly number[]): string {
	const max = Math.max(...values, 0);
	if (max <= 0) {
		return values.map(() => sparks[0]).join('');
	}

	return values
		.map(
			value =>
				sparks[
					Math.min(
						sparks.length - 1,
						Math.floor((value / max) * (sparks.length - 1)),
					)
				] ?? '',
		)
		.join('');
}

/**
A log line for the log view: its colours (SGR sequences) kept, a tab four spaces, every other
control character shown escaped (`\x1b[2J`, `\x07`, `\u009b`): an agent cannot move the cursor,
clear the screen or set the title through its output.
*/
export function sanitizeLine(line: string): string {
	return escapeLogLine(line);
}

/** A sparkline scaled from the values' least to their greatest, so a P&L below zero shows too. */
export function rangeSparkline(values: readonly number[]): string {
	const low = Math.min(...values);
	const high = Math.max(...values);
	return values
		.map(value =>
			high === low
				? sparks[3]
				: sparks[
						Math.round(((value - low) / (high - low)) * (sparks.length - 1))
					],
		)
		.join('');
}
