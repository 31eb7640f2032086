import {Table} from '@alcalzone/ink-table';
import {Box, Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {escapeControls} from '../util/escape-text.js';
import {fit, rangeSparkline} from './format.js';
import {metricRows} from './metric-rows.js';

export type MetricsViewProps = {
	/** The agent whose recent values are drawn as sparklines under the table. */
	readonly agent: string;
	readonly height: number;
	readonly width: number;
};

/**
The agents' own numbers (`m`): each agent's latest metrics in a table (ink-table), with the change
since the value before, and a sparkline of the selected agent's recent values. A table row takes two
lines (ink-table draws a rule between rows), so as many as fit are shown, and the rest counted.
*/
export function MetricsView({agent, height, width}: MetricsViewProps) {
	const agentOrder = useAppStore(state => state.agentOrder);
	const agents = useAppStore(state => state.agents);
	const rows = metricRows({agentOrder, agents});
	const history = agents[agent]?.metricHistory ?? {};
	const lines = Object.keys(history)
		.toSorted()
		.map(
			metric =>
				`${escapeControls(metric)} ${rangeSparkline(history[metric] ?? [])}`,
		);
	if (rows.length === 0) {
		return (
			<Box flexDirection="column">
				<Text bold>Metrics</Text>
				<Text dimColor>
					{fit(
						'No agent has reported a metric yet: an agent prints ::moondev::{"type":"metric","name":"var_95","value":0.031}',
						width,
					)}
				</Text>
			</Box>
		);
	}

	// The table's rules: a top, a header and its rule, a rule between rows, a bottom.
	const sparkLines = lines.length > 0 ? 2 : 0;
	const fitting = Math.max(1, Math.floor((height - 4 - sparkLines) / 2));
	const shown = rows.slice(0, fitting);
	return (
		<Box flexDirection="column" height={height}>
			<Text>
				<Text bold>Metrics</Text>
				<Text dimColor>
					{' '}
					— the latest value of each, its change since the one before
				</Text>
			</Text>
			<Table data={shown.map(row => ({...row}))} />
			{rows.length > shown.length ? (
				<Text dimColor>
					… {rows.length - shown.length} more (a taller terminal shows them)
				</Text>
			) : null}
			{lines.length > 0 ? (
				<Text wrap="truncate">
					<Text bold>{agent}</Text>
					<Text> {lines.join('   ')}</Text>
				</Text>
			) : null}
		</Box>
	);
}
