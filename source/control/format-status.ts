import {escapeControls} from '../util/escape-text.js';
import {
	formatClock,
	formatDuration,
	formatUpcoming,
	formatUsage,
} from '../util/format.js';
import type {AgentStatusLine, EngineStatus} from './engine-status.js';

/**
`status` for a person: who runs, what the cycle does, then a row per agent (state, health, last
time, and what it says or why it failed). Agent text is escaped: it never moves the cursor.
*/
export function formatStatus(status: EngineStatus): string {
	const {cycle} = status;
	const lines = [
		`${status.config} · engine pid ${status.pid} · moondev-tui ${status.version} · metrics ${status.metrics_folder}`,
		describeCycle(status),
	];
	if (cycle.halted) {
		lines.push(
			`halted by ${cycle.halted_by ?? '?'}: ${escapeControls(cycle.halt_reason ?? '')}`,
		);
	}

	for (const hold of status.held) {
		lines.push(
			`held: lost ${hold}: no new cycle starts until it is held again`,
		);
	}

	const rows = status.agents.map(agent => [
		agent.critical ? `${agent.name} (critical)` : agent.name,
		stateOf(agent),
		agent.success_rate === null
			? agent.health
			: `${agent.health} ${Math.round(agent.success_rate)}%`,
		agent.last_duration_s === null
			? '-'
			: formatDuration(agent.last_duration_s * 1000),
		escapeControls(
			`${agent.worker === undefined ? '' : `[on ${agent.worker}] `}${agent.error ?? agent.message ?? ''}`,
		),
	]);
	const header = ['AGENT', 'STATE', 'HEALTH', 'LAST', ''];
	const widths = header.map((title, column) =>
		Math.max(title.length, ...rows.map(row => row[column]!.length)),
	);
	lines.push(
		'',
		...[header, ...rows].map(row =>
			row
				.map((cell, column) =>
					column === row.length - 1 ? cell : cell.padEnd(widths[column]!),
				)
				.join('  ')
				.trimEnd(),
		),
	);
	if (status.workers !== undefined) {
		lines.push(
			'',
			status.workers.length === 0
				? 'workers: none live'
				: `workers (${status.workers.length} live):`,
			...status.workers.map(
				worker =>
					`  ${worker.id} on ${worker.host} · tags ${worker.tags.join(',') || '-'} · ${worker.running}/${worker.concurrency} running${worker.stopping ? ' · stopping' : ''}`,
			),
		);
	}

	return lines.join('\n');
}

function describeCycle({cycle}: EngineStatus): string {
	const paused = cycle.paused ? ' · paused' : '';
	if (cycle.running) {
		return `cycle ${cycle.number} running${cycle.phase ? ` (phase ${cycle.phase})` : ''}${paused}`;
	}

	const last =
		cycle.number === 0
			? 'no cycle yet'
			: `cycle ${cycle.number} ${cycle.halted ? 'halted' : 'done'}${cycle.last_duration_s === null ? '' : ` in ${formatDuration(cycle.last_duration_s * 1000)}`}`;
	const next = cycle.paused
		? ' · paused: no new cycle until resume'
		: cycle.next_run === null
			? ''
			: ` · next at ${formatClock(cycle.next_run)}`;
	return last + next;
}

function stateOf(agent: AgentStatusLine): string {
	if (
		!agent.enabled &&
		(agent.status === 'idle' || agent.status === 'queued')
	) {
		return 'disabled';
	}

	if (agent.status === 'not_due') {
		return agent.next_due === null
			? 'not due'
			: `not due · next ${formatUpcoming(Date.parse(agent.next_due), Date.now())}`;
	}

	const attempt = agent.attempt > 1 ? ` #${agent.attempt}` : '';
	const percent =
		agent.status === 'running' && agent.percent !== null
			? ` ${Math.round(agent.percent)}%`
			: '';
	const usage =
		agent.cpu_percent === null || agent.memory_bytes === null
			? ''
			: ` · cpu ${formatUsage({cpuPercent: agent.cpu_percent, memoryBytes: agent.memory_bytes})}`;
	return `${agent.status}${attempt}${percent}${usage}`;
}
