import {Box, Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {AgentRow} from './agent-row.js';
import {useNow} from './hooks/use-now.js';

export type AgentTableProps = {
	readonly selected: number;
	readonly width: number;
	/** Rows available; the list scrolls to keep the selection in view. */
	readonly height: number;
};

/** The agents panel: one row per agent, scrolled to the selection. */
export function AgentTable({selected, width, height}: AgentTableProps) {
	const names = useAppStore(state => state.agentOrder);
	const anyRunning = useAppStore(state => state.cycle.running);
	const now = useNow(anyRunning);
	const visible = Math.max(1, height - 1);
	const first = Math.min(
		Math.max(0, selected - visible + 1),
		Math.max(0, names.length - visible),
	);
	return (
		<Box flexDirection="column">
			<Text
				dimColor
			>{`    ${'AGENT'.padEnd(12)} TAG  ON  PROGRESS${' '.repeat(width >= 100 ? 13 : 7)} TIME   TRY  HEALTH${' '.repeat(width >= 100 ? 14 : 9)}STATUS`}</Text>
			{names.slice(first, first + visible).map((name, index) => (
				<AgentRow
					key={name}
					name={name}
					isSelected={first + index === selected}
					now={now}
					width={width}
				/>
			))}
		</Box>
	);
}
