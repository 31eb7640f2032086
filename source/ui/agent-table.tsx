import {Box, Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {AgentRow} from './agent-row.js';
import {agentColumns, columnLabels} from './columns.js';
import {useNow} from './hooks/use-now.js';

export type AgentTableProps = {
	readonly selected: number;
	readonly width: number;
	/** Rows available, the labels' included; the list scrolls to keep the selection in view. */
	readonly height: number;
};

/** The first row shown: the selection in view, and as many rows as fit. */
export function firstShown(
	selected: number,
	count: number,
	visible: number,
): number {
	return Math.min(
		Math.max(0, selected - visible + 1),
		Math.max(0, count - visible),
	);
}

/**
The agents panel: the labels of the columns the width has room for, then one row per agent,
scrolled to the selection; when not all rows fit, the labels count the agents above and below.
*/
export function AgentTable({selected, width, height}: AgentTableProps) {
	const names = useAppStore(state => state.agentOrder);
	const anyRunning = useAppStore(state => state.cycle.running);
	const now = useNow(anyRunning);
	const visible = Math.max(1, height - 1);
	// A selection past the end (agents gone in a reload) is the last agent, as the keys read it.
	const current = Math.max(0, Math.min(selected, names.length - 1));
	const first = firstShown(current, names.length, visible);
	const shown = names.slice(first, first + visible);
	const labels = columnLabels(agentColumns(width), {
		above: first,
		below: names.length - first - shown.length,
	});
	return (
		<Box flexDirection="column">
			<Text dimColor wrap="truncate">
				{labels}
			</Text>
			{shown.map((name, index) => (
				<AgentRow
					key={name}
					name={name}
					isSelected={first + index === current}
					now={now}
					width={width}
				/>
			))}
		</Box>
	);
}
