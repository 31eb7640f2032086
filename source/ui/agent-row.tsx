import {Box, Text} from 'ink';
import Spinner from 'ink-spinner';
import {useAppStore} from '../store/store-context.js';
import type {AgentState} from '../store/state.js';
import {escapeControls} from '../util/escape-text.js';
import {formatUpcoming, formatUsage} from '../util/format.js';
import {
	agentColumns,
	columnWidth,
	notDueText,
	scheduleWidth,
} from './columns.js';
import {columnsOf, fit, formatMs} from './format.js';
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
health badge, and the agent's last message as far as the width allows; at narrow widths some go
(columns.ts), and the row is never wider than `width`. A scheduled agent that is not due shows
"not due · next 14:05" where its bar, time and attempt would be.
*/
export function AgentRow({name, isSelected, now, width}: AgentRowProps) {
	const agent = useAppStore(state => state.agents[name]);
	if (!agent) {
		return null;
	}

	const columns = agentColumns(width);
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
	// Where it runs, for an agent on a worker (contract §10); then what its processes use while it
	// runs here, before what it says.
	const placed =
		agent.worker === undefined ? warned : `@${agent.worker} ${warned}`;
	const message =
		running && agent.usage ? `${formatUsage(agent.usage)} ${placed}` : placed;
	// Not due: no bar, time or attempt of this cycle; their columns say when it runs next.
	const scheduleColumns = scheduleWidth(columns);
	const notDue =
		agent.status === 'not_due'
			? notDueText(
					agent.nextDueAt === undefined
						? undefined
						: formatUpcoming(agent.nextDueAt, now),
					scheduleColumns,
				)
			: undefined;
	// Where the bar, the time and the attempt have gone, "not due" is said in the status.
	const notDueInStatus =
		notDue !== undefined && columnsOf(notDue) > scheduleColumns;
	const status =
		notDue === undefined
			? `${agent.status} ${message}`
			: notDueInStatus
				? `${notDue} ${message}`
				: message;
	return (
		<Box>
			<Text inverse={isSelected}>{isSelected ? '›' : ' '}</Text>
			<Text> </Text>
			<Box width={2} flexShrink={0}>
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
				{fit(name, columnWidth.name - 1)}{' '}
			</Text>
			{columns.tag ? (
				<Text dimColor>{fit(tag, columnWidth.tag - 1)} </Text>
			) : null}
			{columns.onOff ? (
				<Text {...tint(agent.enabled ? 'green' : 'gray')}>
					{agent.enabled ? 'on ' : 'off'}{' '}
				</Text>
			) : null}
			{notDue === undefined || notDueInStatus ? (
				<>
					{columns.barWidth > 0 ? (
						<ProgressBar
							percent={percent}
							isEstimate={isEstimate}
							width={columns.barWidth}
						/>
					) : null}
					{columns.time ? (
						<Text> {fit(formatMs(elapsed), columnWidth.time - 1)}</Text>
					) : null}
					{columns.attempt ? (
						<Text dimColor>{fit(attempt, columnWidth.attempt - 1)} </Text>
					) : null}
				</>
			) : (
				<Text {...tint(statusColor.not_due)}>
					{fit(notDue, scheduleColumns)}
				</Text>
			)}
			{/* One row high: a badge longer than its column is cut, never wrapped. */}
			<Box
				width={columns.healthWidth}
				height={1}
				flexShrink={0}
				overflow="hidden"
				paddingRight={1}
			>
				<HealthBadge health={agent.health} isCompact={!columns.healthAverage} />
			</Box>
			<Text {...tint(statusColor[agent.status])} wrap="truncate">
				{fit(status.trim(), columns.statusWidth)}
			</Text>
		</Box>
	);
}
