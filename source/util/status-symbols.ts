import type {AgentLiveStatus} from '../contract/events.js';

/**
A symbol per status, shown next to the status word by the headless printer, the dashboard and
the TUI alike: status is never told by colour alone.
*/
export const statusSymbol = {
	idle: '·',
	queued: '…',
	running: '▶',
	retrying: '↻',
	success: '✓',
	failed: '✗',
	timeout: '⏱',
	cancelled: '⊖',
	halted: '■',
	skipped: '⊘',
	disabled: '○',
	not_due: '◷',
} as const satisfies Record<AgentLiveStatus, string>;
