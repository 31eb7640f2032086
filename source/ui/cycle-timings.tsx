import {Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {formatMs, sparkline} from './format.js';
import {tint} from './theme.js';

export type CycleTimingsProps = {
	readonly width: number;
};

/**
Recent cycle durations as a sparkline, their average, and the phase split of the current or last
cycle, in one line cut at `width`.
*/
export function CycleTimings({width}: CycleTimingsProps) {
	const durations = useAppStore(state => state.cycle.recentDurationsMs);
	const phases = useAppStore(state => state.cycle.phases);
	const recent = durations.slice(-Math.max(5, Math.min(40, width - 40)));
	const average =
		durations.length > 0
			? durations.reduce((sum, value) => sum + value, 0) / durations.length
			: undefined;
	const split = phases
		.map(
			phase =>
				`${phase.name} ${phase.endedAt === undefined ? '…' : formatMs(phase.endedAt - phase.startedAt)}`,
		)
		.join(' → ');
	return (
		<Text wrap="truncate">
			<Text dimColor>cycles </Text>
			<Text {...tint('cyan')}>
				{recent.length > 0 ? sparkline(recent) : '—'}
			</Text>
			<Text dimColor> avg {formatMs(average)}</Text>
			{split ? <Text dimColor>{`  phases: ${split}`}</Text> : null}
		</Text>
	);
}
