import {Text} from 'ink';
import type {AgentHealth} from '../store/state.js';
import {healthColor, healthLabel, tint} from './theme.js';

export type HealthBadgeProps = {
	readonly health: AgentHealth;
	/** Leaves out the average time, for narrow terminals. @default false */
	readonly isCompact?: boolean;
};

/** HEALTHY / DEGRADED / UNHEALTHY / unknown, coloured, with the success rate and average time. */
export function HealthBadge({health, isCompact = false}: HealthBadgeProps) {
	const rate =
		health.successRate === undefined
			? ''
			: ` ${Math.round(health.successRate)}%`;
	const average =
		isCompact || health.avgDurationS === undefined
			? ''
			: ` ${health.avgDurationS.toFixed(1)}s`;
	return (
		<Text>
			<Text
				bold={health.status !== 'unknown'}
				{...tint(healthColor[health.status])}
			>
				{healthLabel[health.status]}
			</Text>
			<Text dimColor>{`${rate}${average}`}</Text>
		</Text>
	);
}
