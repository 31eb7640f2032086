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

/** Cuts a string to `width` columns with an ellipsis. */
export function fit(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	return text.length > width
		? `${text.slice(0, Math.max(0, width - 1))}…`
		: text.padEnd(width);
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

const unsafeControls =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/\u001B\[[\d;]*[A-Za-ln-z]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[^\[\]]|[\u0000-\u0008\u000B-\u001A\u001C-\u001F\u007F]/gv;

/**
Keeps a log line's colours (SGR sequences) and drops every other control sequence and character:
an agent must not be able to move the cursor or clear the screen through its output.
*/
export function sanitizeLine(line: string): string {
	return line.replaceAll('\t', '    ').replaceAll(unsafeControls, '');
}
