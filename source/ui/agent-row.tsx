import {Box, Text} from 'ink';
import Spinner from 'ink-spinner';
import {useAppStore} from '../store/store-context.js';
import type {AgentState} from '../store/state.js';
import {escapeControls} from '../util/escape-text.js';
import {formatUpcoming, formatUsage} from '../util/format.js';
import {fit, formatMs} from './format.js';
import {HealthBadge} from './health-badge.js';
import {ProgressBar} from './progress-bar.js';
import {tint, statusColor, statusIcon} from './theme.js';

export type AgentRowProps = {
	readonly name: string;
	readonly isSelected: boolean;
	/** The time, from the table's ticking clock (elapsed times and estimates). */
	readonly now: number;
	readonly width: number;
};

/** What the bar shows: the agent's own percent, else an estimate from its average duration. */
export function barOf(
	agent: AgentState,
	now: number,
): {percent: number | undefined; isEstimate: boolean} {
	if (agent.status === 'success' || agent.status === 'halted') {
		return {percent: 100, isEstimate: false};
	}

	if (agent.percent !== undefined) {
		return {percent: agent.percent, isEstimate: false};
	}

	const average = agent.health.avgDurationS;
	if (
		agent.status === 'running' &&
		agent.startedAt !== undefined &&
		average !== undefined &&
		average > 0
	) {
		return {
			percent: Math.min(
				99,
				(Math.max(0, now - agent.startedAt) / (average * 1000)) * 100,
			),
			isEstimate: true,
		};
	}

	return {percent: undefined, isEstimate: false};
}

/**
One line of the agents panel. It selects only its own agent, so a chatty agent re-renders one row.
Columns: marker, status icon (a spinner while running), name, tag, on/off, bar, time, attempt,
health badge, and the agent's last message as far as the width allows. A scheduled agent that is
not due shows "not due · next 14:05" where its bar, time and attempt would be.
*/
export function AgentRow({name, isSelected, now, width}: AgentRowProps) {
	const agent = useAppStore(state => state.agents[name]);
	if (!agent) {
		return null;
	}

	const running = agent.status === 'running';
	const {percent, isEstimate} = barOf(agent, now);
	const elapsed =
		running && agent.startedAt !== undefined
			? Math.max(0, now - agent.startedAt)
			: agent.lastDurationMs;
	// Attempts of this cycle; none for an agent that was skipped or has not started.
	const attempt =
		agent.attempt > 0 && (agent.maxAttempts > 1 || agent.attempt > 1)
			? `${agent.attempt}/${agent.maxAttempts}`
			: '';
	const tag = agent.critical ? 'CRIT' : (agent.phase ?? '').slice(0, 4);
	const barWidth = width >= 100 ? 16 : 10;
	const healthWidth = width >= 100 ? 20 : 15;
	const fixed = 2 + 2 + 13 + 5 + 4 + barWidth + 6 + 8 + 5 + healthWidth;
	// Escaped here too: an error can come from elsewhere than an agent's words, which are already.
	const said = escapeControls(
		agent.status === 'failed' || agent.status === 'timeout'
			? (agent.error ?? '')
			: (agent.message ?? agent.error ?? ''),
	);
	// Malformed protocol lines are counted where a person sees them: lines meant for us went astray.
	const warned =
		agent.malformedLines > 0
			? `⚠ ${agent.malformedLines} bad protocol line${agent.malformedLines === 1 ? '' : 's'} ${said}`
			: said;
	// What its processes use while it runs, before what it says.
	const message =
		running && agent.usage ? `${formatUsage(agent.usage)} ${warned}` : warned;
	// Not due: no bar, time or attempt of this cycle; their columns say when it runs next.
	const notDue =
		agent.status === 'not_due'
			? `not due${agent.nextDueAt === undefined ? '' : ` · next ${formatUpcoming(agent.nextDueAt, now)}`}`
			: undefined;
	return (
		<Box>
			<Text inverse={isSelected}>{isSelected ? '›' : ' '}</Text>
			<Text> </Text>
			<Box width={2}>
				{running ? (
					<Text {...tint(statusColor.running)}>
						<Spinner type="dots" />
					</Text>
				) : (
					<Text {...tint(statusColor[agent.status])}>
						{statusIcon[agent.status]}
					</Text>
				)}
			</Box>
			<Text bold={isSelected} dimColor={!agent.enabled}>
				{fit(name, 12)}{' '}
			</Text>
			<Text dimColor>{fit(tag, 4)} </Text>
			<Text {...tint(agent.enabled ? 'green' : 'gray')}>
				{agent.enabled ? 'on ' : 'off'}{' '}
			</Text>
			{notDue === undefined ? (
				<>
					<ProgressBar
						percent={percent}
						isEstimate={isEstimate}
						width={barWidth}
					/>
					<Text> {fit(formatMs(elapsed), 7)}</Text>
					<Text dimColor>{fit(attempt, 4)} </Text>
				</>
			) : (
				// The bar with its label (barWidth + 5), the time (8) and the attempt (5).
				<Text {...tint(statusColor.not_due)}>{fit(notDue, barWidth + 18)}</Text>
			)}
			<Box width={healthWidth}>
				<HealthBadge health={agent.health} isCompact={width < 100} />
			</Box>
			<Text {...tint(statusColor[agent.status])} wrap="truncate">
				{fit(
					notDue === undefined ? `${agent.status} ${message}`.trim() : message,
					Math.max(0, width - fixed),
				)}
			</Text>
		</Box>
	);
}
