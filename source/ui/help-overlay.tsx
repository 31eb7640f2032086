import {Box, Text} from 'ink';
import {columnsOf, fit} from './format.js';
import {helpLayout} from './layout.js';

/** A key, what it does, and the short words for it where the screen is narrow or short. */
export type KeyHelp = readonly [keys: string, what: string, short: string];

/** Every key, in one place. */
export const keyHelp: readonly KeyHelp[] = [
	['↑ ↓ / k j', 'select an agent (in the log view: scroll)', 'select, scroll'],
	['space', 'on/off (kept; critical: asks, next cycle only)', 'agent on/off'],
	[
		'p',
		'pause or resume: the running cycle finishes, no new one starts',
		'pause / resume',
	],
	[
		'f',
		'force a cycle now (during a cycle: another right after it)',
		'force a cycle',
	],
	[
		'enter l / m',
		"the selected agent's log / all the agents' metrics",
		'log / metrics',
	],
	['PgUp PgDn', 'scroll the log a page', 'scroll a page'],
	['g G', 'top / bottom of the log (G follows new lines)', 'log top / follow'],
	[
		'/ n N t o',
		'search the log, older / newer match; t: times; o: in $PAGER',
		'find, times, pager',
	],
	['x', 'cancel the selected running agent (asks first)', 'cancel (asks)'],
	['esc', 'back', 'back'],
	['?', 'this help', 'this help'],
	['q', 'quit (asks first while a cycle runs)', 'quit (may ask)'],
	['Ctrl-C', 'quit at once', 'quit at once'],
];

const attachedHelp: readonly KeyHelp[] = [
	...keyHelp.filter(([keys]) => keys !== 'q' && keys !== 'Ctrl-C'),
	[
		'S',
		'stop the engine (asks first): its agents get their grace',
		'stop the engine',
	],
	['q / Ctrl-C', 'detach: the engine and its agents go on', 'detach'],
];

export type HelpOverlayProps = {
	/** Attached to a running engine: q detaches, S stops it. @default false */
	readonly isAttached?: boolean;
	/** Columns to fit in. @default 100 */
	readonly width?: number;
	/** Rows to fit in. @default 30 */
	readonly height?: number;
};

/** One key: its name, then its long words where they fit, else its short ones. */
function keyLine(
	[keys, what, short]: KeyHelp,
	keysWidth: number,
	whatWidth: number,
): {keys: string; what: string} {
	return {
		keys: fit(keys, keysWidth),
		what: fit(columnsOf(what) <= whatWidth ? what : short, whatWidth),
	};
}

/**
The help overlay (`?`); attached to a running engine, q detaches and S stops it. It fits its
space: bordered where there is room, in two columns of short words where there is little
(layout.ts).
*/
export function HelpOverlay({
	isAttached = false,
	width = 100,
	height = 30,
}: HelpOverlayProps) {
	const entries = isAttached ? attachedHelp : keyHelp;
	const layout = helpLayout(entries.length, width, height);
	// Two columns: the first half of the keys down the left, the rest down the right.
	const perColumn =
		layout.columns === 1 ? entries.length : Math.ceil(entries.length / 2);
	const lines = Array.from({length: layout.rows}, (_, row) =>
		[
			entries[row],
			layout.columns === 2 ? entries[perColumn + row] : undefined,
		].filter(entry => entry !== undefined),
	);
	return (
		<Box
			flexDirection="column"
			width={width}
			borderStyle={layout.isBordered ? 'round' : undefined}
			paddingX={layout.isBordered ? 1 : 0}
		>
			<Text wrap="truncate">
				<Text bold>Keys</Text>
				<Text dimColor>{' — esc or ? to close'}</Text>
			</Text>
			{lines.map(row => (
				<Text key={row.map(([keys]) => keys).join(' ')} wrap="truncate">
					{row.map((entry, index) => {
						const {keys, what} = keyLine(
							entry,
							layout.keysWidth,
							layout.whatWidth,
						);
						return (
							<Text key={entry[0]}>
								{index > 0 ? '  ' : ''}
								<Text bold>{keys}</Text>
								<Text>{what}</Text>
							</Text>
						);
					})}
				</Text>
			))}
		</Box>
	);
}
