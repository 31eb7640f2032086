import {Box, Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {sanitizeLine} from './format.js';
import {tint, statusColor, statusIcon} from './theme.js';

export type LogViewProps = {
	readonly agent: string;
	/** Lines scrolled up from the bottom; 0 follows new lines. */
	readonly offset: number;
	readonly height: number;
};

/**
The selected agent's recent output with its colours (other control sequences are removed, so an
agent cannot move the cursor or clear the screen), following new lines at the bottom unless
scrolled up.
*/
export function LogView({agent, offset, height}: LogViewProps) {
	const state = useAppStore(store => store.agents[agent]);
	if (!state) {
		return null;
	}

	const lines = state.recentLines;
	const visible = Math.max(1, height - 2);
	const end = Math.max(0, lines.length - offset);
	const start = Math.max(0, end - visible);
	const dropped = state.totalLines - lines.length;
	return (
		<Box flexDirection="column" height={height}>
			<Text>
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
			</Text>
			{lines.length === 0 ? <Text dimColor>(no output yet)</Text> : null}
			{lines.slice(start, end).map((line, index) => (
				// eslint-disable-next-line react/no-array-index-key -- a line's position is its identity here
				<Text key={start + index} wrap="truncate">
					{sanitizeLine(line)}
				</Text>
			))}
		</Box>
	);
}
