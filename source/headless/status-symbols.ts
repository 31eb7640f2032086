import type {AgentStatus} from '../engine/events.js';

/** A symbol per status, always next to the status word: status is never told by colour alone. */
export const statusSymbol: Readonly<Record<AgentStatus, string>> = {
	success: '✓',
	failed: '✗',
	timeout: '⏱',
	cancelled: '■',
	halted: '⛔',
	skipped: '⊘',
	disabled: '·',
};
