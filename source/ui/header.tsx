import {Box, Text} from 'ink';
import {useState} from 'react';
import {useAppStore} from '../store/store-context.js';
import {escapeControls} from '../util/escape-text.js';
import {headerRight, planHeader} from './fit-line.js';
import {formatCountdown, formatMs} from './format.js';
import {useNow} from './hooks/use-now.js';
import {tint} from './theme.js';

/**
Cycle number and state — RUNNING phase n/m, SLEEPING with the countdown, PAUSED, HALTED with the
reason — with the last and average cycle times and the config file, each line shortened to
`columns` (fit-line.ts) so that it never wraps.
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

	let state: {label: string; short: string; color: string};
	if (cycle.running) {
		state = {
			label: `RUNNING phase ${cycle.phaseIndex}/${cycle.phaseCount}${cycle.phase ? ` ${cycle.phase}` : ''}`,
			short: `RUNNING ${cycle.phaseIndex}/${cycle.phaseCount}`,
			color: 'cyan',
		};
	} else if (cycle.paused) {
		state = {label: 'PAUSED', short: 'PAUSED', color: 'yellow'};
	} else if (sleeping) {
		state = {
			label: `SLEEPING next in ${formatCountdown(remaining)}`,
			short: `SLEEPING ${formatCountdown(remaining)}`,
			color: 'blue',
		};
	} else {
		const label = cycle.number === 0 ? 'STARTING' : 'IDLE';
		state = {label, short: label, color: 'gray'};
	}

	const notes = [
		...(cycle.paused && cycle.running
			? [{long: '(pausing after this cycle)', short: '(pausing)'}]
			: []),
		...(cycle.forced ? [{long: '(next cycle queued)', short: '(queued)'}] : []),
	];
	const plan = planHeader({
		columns,
		demo,
		cycle: cycle.number,
		state: {long: state.label, short: state.short},
		notes,
		last: formatMs(last),
		average: formatMs(average),
		configFile: escapeControls(configFile),
	});
	const right = headerRight(plan);
	return (
		<Box flexDirection="column">
			<Box justifyContent="space-between">
				<Text wrap="truncate">
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
						{plan.state}
					</Text>
					{plan.notes.map(note => (
						<Text key={note} {...tint('yellow')}>
							{' '}
							{note}
						</Text>
					))}
				</Text>
				{right === '' ? null : (
					<Box flexShrink={0} marginLeft={2}>
						<Text dimColor wrap="truncate">
							{right}
						</Text>
					</Box>
				)}
			</Box>
			{cycle.halted ? (
				<Text bold wrap="truncate" {...tint('red')}>
					HALTED by {cycle.haltedBy ?? '?'}:{' '}
					{escapeControls(cycle.haltReason ?? '')}
				</Text>
			) : null}
		</Box>
	);
}
