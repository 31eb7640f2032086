/**
Turns chunks of text into whole lines, for one stream of one attempt. A line longer than
`maxLineLength` is cut into pieces of that length, so an agent that never prints a newline cannot
grow memory; a trailing `\r` (CRLF) is dropped.
*/
export type LineSplitter = {
	readonly push: (chunk: string) => void;
	/** Flushes the last line if it had no newline. */
	readonly end: () => void;
};

export function createLineSplitter(
	onLines: (lines: string[]) => void,
	maxLineLength = 1024 * 1024,
): LineSplitter {
	let pending = '';
	return {
		push(chunk) {
			const text = pending ? pending + chunk : chunk;
			const lines: string[] = [];
			let start = 0;
			let newline = text.indexOf('\n');
			while (newline !== -1) {
				const end =
					newline > start && text[newline - 1] === '\r' ? newline - 1 : newline;
				// Cut the same whether its newline came in this chunk or a later one.
				for (let piece = start; piece < end; piece += maxLineLength) {
					lines.push(text.slice(piece, Math.min(end, piece + maxLineLength)));
				}

				if (end === start) {
					lines.push('');
				}

				start = newline + 1;
				newline = text.indexOf('\n', start);
			}

			pending = start === 0 ? text : text.slice(start);
			while (pending.length > maxLineLength) {
				lines.push(pending.slice(0, maxLineLength));
				pending = pending.slice(maxLineLength);
			}

			if (lines.length > 0) {
				onLines(lines);
			}
		},
		end() {
			if (pending) {
				const last = pending;
				pending = '';
				onLines([last]);
			}
		},
	};
}
