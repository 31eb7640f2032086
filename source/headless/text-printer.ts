import type {EngineEvent} from '../contract/events.js';
import {escapeControls} from '../util/escape-text.js';
import {
	formatClock,
	formatDuration,
	formatUpcoming,
	plural,
} from '../util/format.js';
import {statusSymbol} from '../util/status-symbols.js';

export type TextPrinterOptions = {
	readonly write: (line: string) => void;
	/** How many attempts each agent has at most, for "attempt 2/4". */
	readonly maxAttempts: (agent: string) => number;
	/** The dashboard printed after each recorded cycle; none when monitoring is off. */
	readonly dashboard?: (() => string | undefined) | undefined;
};

/**
Headless text mode: one line per event, with the local time (contract §6), control characters
escaped so that no text an event carries can start a line of its own or drive the terminal.
Output lines, metrics and toggles are left to the TUI and the log files.
*/
export function createTextPrinter({
	write,
	maxAttempts,
	dashboard,
}: TextPrinterOptions) {
	// When each agent not due in this cycle is next due: said on its `agent_end` line.
	const nextDue = new Map<string, string | undefined>();
	return (event: EngineEvent): void => {
		if (event.type === 'agent_not_due') {
			nextDue.set(event.agent, event.next_due ?? undefined);
			return;
		}

		if (event.type === 'agent_end' && event.status === 'not_due') {
			const next = nextDue.get(event.agent);
			nextDue.delete(event.agent);
			const when =
				typeof next === 'string'
					? ` · next ${formatUpcoming(Date.parse(next), Date.parse(event.time))}`
					: '';
			write(
				`${formatClock(event.time)} ${escapeControls(`${event.agent}: ${statusSymbol.not_due} not due${when}`)}`,
			);
			return;
		}

		if (event.type === 'cycle_recorded') {
			const text = dashboard?.();
			if (text) {
				write(text);
			}

			return;
		}

		const line = formatEvent(event, maxAttempts);
		if (line !== undefined) {
			// One event, one line: whatever it quotes (an agent's words, a path, an error) is escaped.
			write(`${formatClock(event.time)} ${escapeControls(line)}`);
		}
	};
}

function formatEvent(
	event: EngineEvent,
	maxAttempts: (agent: string) => number,
): string | undefined {
	switch (event.type) {
		case 'cycle_start': {
			return `── cycle ${event.cycle} started`;
		}

		case 'phase_start': {
			const agents =
				event.agents.length > 0
					? event.agents.join(', ')
					: '(no enabled agents)';
			return `phase ${event.phase} (${event.mode}): ${agents}`;
		}

		case 'agent_start': {
			const max = maxAttempts(event.agent);
			const on = event.worker === undefined ? '' : ` on worker ${event.worker}`;
			return max > 1 || event.attempt > 1
				? `${event.agent}: started${on} (attempt ${event.attempt}/${max})`
				: `${event.agent}: started${on}`;
		}

		case 'agent_progress': {
			const percent =
				event.percent === null ? '' : `${Math.round(event.percent)}%`;
			return `${event.agent}: ${[percent, event.message ?? ''].filter(Boolean).join(' ')}`;
		}

		case 'agent_retry': {
			return `${event.agent}: retry ${event.attempt}/${maxAttempts(event.agent)} in ${event.delay_s}s after ${event.error}`;
		}

		case 'agent_end': {
			const symbol = statusSymbol[event.status];
			if (event.status === 'skipped') {
				return `${event.agent}: ${symbol} skipped: ${event.error ?? ''}`;
			}

			const tries =
				event.attempts > 1 ? ` after ${plural(event.attempts, 'attempt')}` : '';
			const error = event.error ? `: ${event.error}` : '';
			return `${event.agent}: ${symbol} ${event.status} in ${formatDuration(event.duration_s * 1000)}${tries}${error}`;
		}

		case 'alert': {
			const agent =
				event.agent && !event.message.startsWith(`${event.agent} `)
					? `${event.agent}: `
					: '';
			return `[${event.level.toUpperCase()}] ${agent}${event.message}`;
		}

		case 'halt': {
			return `HALT cycle ${event.cycle} by ${event.agent}: ${event.reason}`;
		}

		case 'cycle_end': {
			const counts = new Map<string, number>();
			for (const status of Object.values(event.results)) {
				counts.set(status, (counts.get(status) ?? 0) + 1);
			}

			const summary = [...counts]
				.map(([status, count]) => `${count} ${status}`)
				.join(', ');
			const halted = event.halted ? ' HALTED' : '';
			return `── cycle ${event.cycle} done in ${formatDuration(event.duration_s * 1000)}${halted}: ${summary}`;
		}

		case 'metrics_exported': {
			return `metrics: ${event.path}`;
		}

		case 'engine_stop': {
			const why =
				event.reason === 'signal'
					? `on ${event.signal ?? 'a signal'}`
					: event.reason === 'error'
						? `on an error: ${event.error ?? 'unknown'}`
						: event.reason === 'once'
							? 'after its one run'
							: 'as asked';
			return `engine stopped ${why}`;
		}

		case 'schedule': {
			if (event.paused) {
				return 'paused';
			}

			return event.next_run
				? `sleeping until ${formatClock(event.next_run)}`
				: undefined;
		}

		case 'agent_toggle': {
			return `${event.agent}: ${event.enabled ? 'enabled' : 'disabled'}`;
		}

		case 'agent_not_due':
		case 'workers':
		case 'agent_usage':
		case 'attempt_end':
		case 'config_applied':
		case 'agent_health':
		case 'cycle_recorded':
		case 'agent_output':
		case 'agent_metric': {
			return undefined;
		}
	}
}
