import {Box, Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {escapeControls} from '../util/escape-text.js';
import {formatClock} from '../util/format.js';
import {sanitizeLine} from './format.js';
import {lineMatches, splitMatches} from './log-search.js';
import {tint, statusColor, statusIcon} from './theme.js';

export type LogViewProps = {
	readonly agent: string;
	/** Lines scrolled up from the bottom; 0 follows new lines. */
	readonly offset: number;
	/** The line count when scrolled up, so the window stays on what was being read. */
	readonly anchor?: number | undefined;
	readonly height: number;
	/** `/`: the query, highlighted where it matches once typed. */
	/** Each line's time before it (`t`). */
	readonly hasTimestamps?: boolean;
	readonly search?:
		{readonly query: string; readonly editing: boolean} | undefined;
};

/**
The selected agent's recent output with its colours (every other control character is shown
escaped, so an agent cannot move the cursor, clear the screen or set the title), following new
lines at the bottom unless scrolled up.
*/
export function LogView({
	agent,
	offset,
	anchor,
	height,
	search,
	hasTimestamps = false,
}: LogViewProps) {
	const state = useAppStore(store => store.agents[agent]);
	if (!state) {
		return null;
	}

	const lines = state.recentLines;
	const visible = Math.max(1, height - 2);
	const shift =
		offset > 0 && anchor !== undefined ? state.totalLines - anchor : 0;
	const end = Math.max(
		Math.min(visible, lines.length),
		lines.length - offset - shift,
	);
	const start = Math.max(0, end - visible);
	const dropped = state.totalLines - lines.length;
	const highlight =
		search && !search.editing && search.query !== '' ? search.query : undefined;
	return (
		<Box flexDirection="column" height={height}>
			<Text wrap="truncate">
				<Text bold>{agent}</Text>
				<Text {...tint(statusColor[state.status])}>
					{' '}
					{statusIcon[state.status]} {state.status}
				</Text>
				<Text dimColor>
					{' '}
					— {lines.length} recent lines
					{dropped > 0 ? ` (${dropped} earlier in the log file)` : ''}
					{offset > 0 ? `, scrolled up ${offset}` : ', following'}
				</Text>
				{search ? (
					<Text {...tint('yellow')}>
						{'  /'}
						{escapeControls(search.query)}
						{search.editing ? '▏' : ''}
					</Text>
				) : null}
			</Text>
			{lines.length === 0 ? <Text dimColor>(no output yet)</Text> : null}
			{lines.slice(start, end).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key -- a line's position is its identity here
				<Text key={start + index} wrap="truncate">
					{hasTimestamps ? <Text dimColor>{formatClock(line.at)} </Text> : null}
					{line.kind === 'err' ? (
						<Text {...tint('red')}>│ </Text>
					) : (
						<Text>{'  '}</Text>
					)}
					{line.kind === 'mark' ? (
						<Text {...tint('cyan')}>── {escapeControls(line.text)} ──</Text>
					) : highlight && lineMatches(escapeControls(line.text), highlight) ? (
						splitMatches(escapeControls(line.text), highlight).map(
							(part, partIndex) => (
								// eslint-disable-next-line react/no-array-index-key -- parts of one line, in order
								<Text key={partIndex} inverse={part.match}>
									{part.text}
								</Text>
							),
						)
					) : (
						sanitizeLine(line.text)
					)}
				</Text>
			))}
		</Box>
	);
}
