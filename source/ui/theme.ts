import process from 'node:process';
import type {AgentLiveStatus, AlertLevel} from '../contract/events.js';
import type {AgentHealth} from '../store/state.js';

/** NO_COLOR (https://no-color.org): no colour at all; symbols and words still tell everything. */
export const colorEnabled = !process.env['NO_COLOR'];

/** Props for a colour, or none when colour is off: `<Text {...tint('red')}>`. */
export function tint(color: string): {color?: string} {
	return colorEnabled ? {color} : {};
}

export const statusColor = {
	idle: 'gray',
	queued: 'gray',
	running: 'cyan',
	retrying: 'yellow',
	success: 'green',
	failed: 'red',
	timeout: 'red',
	cancelled: 'yellow',
	halted: 'magenta',
	skipped: 'gray',
	disabled: 'gray',
	not_due: 'blue',
} as const satisfies Record<AgentLiveStatus, string>;

/** A symbol per status (shared with the headless output). */
export {statusSymbol as statusIcon} from '../util/status-symbols.js';

export const healthColor = {
	healthy: 'green',
	degraded: 'yellow',
	unhealthy: 'red',
	unknown: 'gray',
} as const satisfies Record<AgentHealth['status'], string>;

export const healthLabel = {
	healthy: 'HEALTHY',
	degraded: 'DEGRADED',
	unhealthy: 'UNHEALTHY',
	unknown: 'unknown',
} as const satisfies Record<AgentHealth['status'], string>;

export const levelColor = {
	info: 'blue',
	warning: 'yellow',
	critical: 'red',
} as const satisfies Record<AlertLevel, string>;

export const levelLabel = {
	info: 'INFO',
	warning: 'WARN',
	critical: 'CRIT',
} as const satisfies Record<AlertLevel, string>;
