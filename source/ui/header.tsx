import {Box, Text} from 'ink';
import {useState} from 'react';
import {useAppStore} from '../store/store-context.js';
import {escapeControls} from '../util/escape-text.js';
import {formatCountdown, formatMs} from './format.js';
import {useNow} from './hooks/use-now.js';
import {tint} from './theme.js';

/**
Cycle number and state — RUNNING phase n/m, SLEEPING with the countdown, PAUSED, HALTED with the
reason — with the last and average cycle times.
*/
export function Header({columns}: {readonly columns: number}) {
	const cycle = useAppStore(state => state.cycle);
	const configFile = useAppStore(state => state.configFile);
	const demo = useAppStore(state => state.demo);
	const sleeping =
		!cycle.running && !cycle.paused && cycle.nextRunAt !== undefined;
	// A long sleep counts down in minutes, redrawn every 10 s: an idle screen costs next to nothing.
	const [tick, setTick] = useState(1000);
	const now = useNow(sleeping, tick);
	const remaining = (cycle.nextRunAt ?? now) - now;
	const wanted = remaining > 90_000 ? 10_000 : 1000;
	if (wanted !== tick) {
		setTick(wanted);
	}

	const durations = cycle.recentDurationsMs;
	const last = durations.at(-1);
	const average =
		durations.length > 0
			? durations.reduce((sum, value) => sum + value, 0) / durations.length
			: undefined;

	let state: {label: string; color: string};
	if (cycle.running) {
		state = {
			label: `RUNNING phase ${cycle.phaseIndex}/${cycle.phaseCount}${cycle.phase ? ` ${cycle.phase}` : ''}`,
			color: 'cyan',
		};
	} else if (cycle.paused) {
		state = {label: 'PAUSED', color: 'yellow'};
	} else if (sleeping) {
		state = {
			label: `SLEEPING next in ${formatCountdown(remaining)}`,
			color: 'blue',
		};
	} else {
		state = {label: cycle.number === 0 ? 'STARTING' : 'IDLE', color: 'gray'};
	}

	return (
		<Box flexDirection="column">
			<Box justifyContent="space-between">
				<Text>
					<Text bold>moondev-tui</Text>
					{demo ? (
						<>
							<Text> </Text>
							<Text bold inverse {...tint('magenta')}>
								{' DEMO '}
							</Text>
						</>
					) : null}
					<Text> cycle </Text>
					<Text bold>{cycle.number}</Text>
					<Text> </Text>
					<Text bold {...tint(state.color)}>
						{state.label}
					</Text>
					{cycle.paused && cycle.running ? (
						<Text {...tint('yellow')}> (pausing after this cycle)</Text>
					) : null}
					{cycle.forced ? (
						<Text {...tint('yellow')}> (next cycle queued)</Text>
					) : null}
				</Text>
				<Text dimColor wrap="truncate">
					last {formatMs(last)} · avg {formatMs(average)}
					{columns >= 110 ? ` · ${escapeControls(configFile)}` : ''}
				</Text>
			</Box>
			{cycle.halted ? (
				<Text bold {...tint('red')}>
					HALTED by {cycle.haltedBy ?? '?'}:{' '}
					{escapeControls(cycle.haltReason ?? '')}
				</Text>
			) : null}
		</Box>
	);
}
