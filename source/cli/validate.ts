import path from 'node:path';
import process from 'node:process';
import type {ResolvedAgent, ResolvedConfig} from '../config/resolved-config.js';
import {describeSchedule} from '../config/schedule.js';
import {describeTarget} from '../notify/format-request.js';
import {formatToggles, type SavedToggle} from './saved-toggles.js';

/**
`moondev-tui validate`: the resolved config as people read it (or as JSON). Env variables are
shown by name only: their values are secrets.
*/
export function describeConfig(
	config: ResolvedConfig,
	json: boolean,
	saved?: {readonly toggles: readonly SavedToggle[]; readonly file: string},
): string {
	const toggles = saved?.toggles ?? [];
	if (json) {
		return JSON.stringify(
			{...toJson(config), savedToggles: toggles},
			undefined,
			2,
		);
	}

	const o = config.orchestrator;
	const lines = [
		`${config.displayName}: valid${config.isBundledDemo ? ' (the bundled demo config)' : ''}`,
		`base folder: ${config.baseDir}`,
		`orchestrator: maxWorkers ${o.maxWorkers}, timeoutPerAgent ${o.timeoutPerAgent}s, maxRetries ${o.maxRetries}, backoff ${o.backoffBaseSeconds}s × ${o.backoffMultiplier}^k, killGrace ${o.killGraceSeconds}s, sleep ${o.sleepBetweenRunsMinutes} min`,
		`metrics: ${o.metricsExportDir} (keep ${o.metricsRetention || 'all'}, health over ${o.healthWindow} runs, monitoring ${onOff(o.enableMonitoring)}, health checks ${onOff(o.enableHealthChecks)})`,
	];
	if (config.envFiles.length > 0) {
		lines.push(`env files: ${config.envFiles.join(', ')}`);
	}

	if (config.workers) {
		lines.push(
			`workers: queue ${config.workers.queue} on Redis (the URL is a secret: not shown); agents with runOn run there`,
		);
	}

	lines.push(`phases${config.hasCustomPhases ? '' : ' (default)'}:`);
	for (const [index, phase] of config.phases.entries()) {
		const timeout =
			phase.timeoutPerAgent === undefined
				? ''
				: `, timeout ${phase.timeoutPerAgent}s`;
		const workers =
			phase.mode === 'parallel' ? `, ${o.maxWorkers} workers` : '';
		const agents = phase.agents.length > 0 ? phase.agents.join(', ') : '(none)';
		lines.push(
			`  ${index + 1}. ${phase.name} (${phase.mode}${workers}${timeout}): ${agents}`,
		);
	}

	lines.push('agents:');
	const width = Math.max(...config.agents.map(agent => agent.name.length), 4);
	for (const agent of config.agents) {
		const tags = [
			agent.enabled ? 'enabled ' : 'disabled',
			agent.critical
				? `critical (retries ${agent.retries}, on failure ${agent.onFailure})`
				: `retries ${agent.retries}`,
			// The engine's order: the agent's own, its phase's, the orchestrator's.
			`timeout ${agent.timeoutSeconds ?? config.phases.find(phase => phase.agents.includes(agent.name))?.timeoutPerAgent ?? o.timeoutPerAgent}s`,
		];
		lines.push(
			`  ${agent.name.padEnd(width)}  ${tags.join('  ')}`,
			`  ${' '.repeat(width)}  $ ${formatCommand(agent.command)}`,
		);
		for (const detail of agentDetails(agent, config.baseDir)) {
			lines.push(`  ${' '.repeat(width)}  ${detail}`);
		}
	}

	if (config.notify.length > 0) {
		lines.push('notify (URLs are secrets: each is named by its host only):');
		for (const [index, target] of config.notify.entries()) {
			lines.push(
				`  ${describeTarget(index + 1, target.format, target.url)}  ${
					target.format === 'heartbeat'
						? 'a request after every cycle'
						: `events ${target.events.join(', ')}, minLevel ${target.minLevel}, at most ${target.maxPerMinute} a minute`
				}, timeout ${target.timeoutSeconds}s`,
			);
		}
	}

	if (toggles.length > 0) {
		lines.push(
			`saved toggles (${saved?.file ?? 'settings'}; \`moondev-tui toggles reset\` forgets them):`,
			...formatToggles(toggles),
		);
	}

	for (const warning of config.warnings) {
		lines.push(`warning: ${warning}`);
	}

	return lines.join('\n');
}

function agentDetails(agent: ResolvedAgent, baseDir: string): string[] {
	const details: string[] = [];
	if (agent.description) {
		details.push(agent.description);
	}

	if (agent.cwd !== baseDir) {
		details.push(`cwd: ${agent.cwd}`);
	}

	const variables = Object.keys(agent.env);
	if (variables.length > 0) {
		details.push(`env: ${variables.join(', ')}`);
	}

	if (agent.dependsOn.length > 0) {
		details.push(`depends on: ${agent.dependsOn.join(', ')}`);
	}

	if (agent.requireHealthy.length > 0) {
		details.push(`requires healthy: ${agent.requireHealthy.join(', ')}`);
	}

	if (agent.when) {
		const hours = agent.when.hours
			? `hours ${agent.when.hours.from}-${agent.when.hours.to}`
			: '';
		details.push(
			`when: ${[hours, agent.when.days?.join(',') ?? ''].filter(Boolean).join(' ')}`,
		);
	}

	if (agent.schedule) {
		details.push(
			`runs when due: ${describeSchedule(agent.schedule)}${agent.schedule.kind === 'cron' ? ' (local time)' : ''}, since its last start`,
		);
	}

	if (agent.haltExitCode !== undefined) {
		details.push(`exit code ${agent.haltExitCode} halts`);
	}

	if (agent.runOn !== undefined) {
		details.push(`runs on a worker tagged ${agent.runOn}`);
	}

	return details;
}

/** Argv as a shell line, the Node that runs us shown as `node`. */
export function formatCommand(argv: readonly string[]): string {
	return argv
		.map((word, index) =>
			index === 0 && word === process.execPath ? 'node' : quote(word),
		)
		.join(' ');
}

function quote(word: string): string {
	return /^[\w@%+=:,.\/\-]+$/v.test(word)
		? word
		: `'${word.replaceAll("'", String.raw`'\''`)}'`;
}

function onOff(value: boolean): string {
	return value ? 'on' : 'off';
}

function toJson(config: ResolvedConfig) {
	return {
		file: config.file,
		baseDir: config.baseDir,
		isBundledDemo: config.isBundledDemo,
		orchestrator: config.orchestrator,
		envFiles: config.envFiles,
		phases: config.phases,
		agents: config.agents.map(agent => ({
			...agent,
			command: agent.command.map((word, index) =>
				index === 0 && word === process.execPath ? 'node' : word,
			),
			// Names only: the values are secrets.
			env: Object.keys(agent.env),
			cwd: path.relative(config.baseDir, agent.cwd) || '.',
		})),
		// Each target by its label only: a webhook URL (and a chat id) is a secret.
		notify: config.notify.map((target, index) => ({
			target: describeTarget(index + 1, target.format, target.url),
			format: target.format,
			events: target.events,
			minLevel: target.minLevel,
			timeoutSeconds: target.timeoutSeconds,
			maxPerMinute: target.maxPerMinute,
		})),
		// The queue only: the Redis URL may hold a password.
		...(config.workers ? {workers: {queue: config.workers.queue}} : {}),
		warnings: config.warnings,
	};
}
