import {Box, Text} from 'ink';

/** Every key, in one place. */
export const keyHelp: ReadonlyArray<readonly [keys: string, what: string]> = [
	['↑ ↓ / k j', 'select an agent (in the log view: scroll)'],
	['space', 'on/off (kept; critical: asks, next cycle only)'],
	['p', 'pause or resume: the running cycle finishes, no new one starts'],
	['f', 'force a cycle now (during a cycle: another right after it)'],
	['enter / l', "open the selected agent's log"],
	['PgUp PgDn', 'scroll the log a page'],
	['g G', 'top / bottom of the log (G follows new lines)'],
	['/ n N', 'search the log (enter: newest match), older / newer match'],
	['x', 'cancel the selected running agent (asks first)'],
	['esc', 'back'],
	['?', 'this help'],
	['q', 'quit (asks first while a cycle runs)'],
	['Ctrl-C', 'quit at once'],
];

const attachedHelp: ReadonlyArray<readonly [keys: string, what: string]> = [
	...keyHelp.filter(([keys]) => keys !== 'q' && keys !== 'Ctrl-C'),
	['S', 'stop the engine (asks first): its agents get their grace'],
	['q / Ctrl-C', 'detach: the engine and its agents go on'],
];

/** The help overlay (`?`); attached to a running engine, q detaches and S stops it. */
export function HelpOverlay({
	isAttached = false,
}: {
	readonly isAttached?: boolean;
}) {
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1}>
			<Text bold>Keys</Text>
			{(isAttached ? attachedHelp : keyHelp).map(([keys, what]) => (
				<Text key={keys}>
					<Text bold>{keys.padEnd(12)}</Text>
					<Text>{what}</Text>
				</Text>
			))}
			<Text dimColor>esc or ? to close</Text>
		</Box>
	);
}
