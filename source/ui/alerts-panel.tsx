import {Box, Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {escapeControls} from '../util/escape-text.js';
import {formatClock} from '../util/format.js';
import {levelColor, levelLabel, tint} from './theme.js';

export type AlertsPanelProps = {
	/** How many of the newest alerts to show. */
	readonly count: number;
};

/** The newest alerts, newest first, with the time and a coloured level word; one line each. */
export function AlertsPanel({count}: AlertsPanelProps) {
	const alerts = useAppStore(state => state.alerts);
	const shown = alerts.slice(-count).toReversed();
	return (
		<Box flexDirection="column">
			<Text dimColor>
				ALERTS {alerts.length > 0 ? `(${alerts.length})` : ''}
			</Text>
			{shown.length === 0 ? <Text dimColor> none</Text> : null}
			{shown.map((alert, index) => (
				// eslint-disable-next-line react/no-array-index-key -- alerts have no identity of their own
				<Text key={`${alert.time}-${index}`} wrap="truncate">
					<Text dimColor>{formatClock(alert.time)} </Text>
					<Text bold {...tint(levelColor[alert.level])}>
						{levelLabel[alert.level]}
					</Text>
					<Text> {escapeControls(alert.message)}</Text>
				</Text>
			))}
		</Box>
	);
}
