import process from 'node:process';
import {ConfigError} from '../config/config-error.js';
import {isRedisUrl} from '../config/redis-url.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {workerTagPattern} from '../config/schema.js';
import {isProcessRunning} from '../runner/process-info.js';
import {runAgent} from '../runner/run-agent.js';
import {escapeControls} from '../util/escape-text.js';
import {formatClock} from '../util/format.js';
import {exitCodes} from './exit-codes.js';
import type {RawFlags} from './flags.js';
import {superviseProcess} from './process-lifecycle.js';

/**
`moondev-tui worker` (contract §10): takes attempts from the engine's queue for its tags and runs
them from its own config until a signal; the first lets the running attempts finish, a second
kills them. The Redis URL comes from --redis or MOONDEV_REDIS_URL and is never printed.
*/
export async function runWorker(
	config: ResolvedConfig,
	flags: RawFlags,
): Promise<number> {
	const redisUrl = flags.redis ?? process.env['MOONDEV_REDIS_URL'] ?? '';
	// Read once: the agents this worker runs never get it in their environment.
	delete process.env['MOONDEV_REDIS_URL'];
	if (redisUrl === '') {
		throw new ConfigError(
			'worker: expected --redis <url> or MOONDEV_REDIS_URL (the Redis the engine uses)',
		);
	}

	if (!isRedisUrl(redisUrl)) {
		throw new ConfigError(
			'worker: --redis: expected a redis:// or rediss:// URL of a host and a numeric port (the value is not shown: it may hold a password)',
		);
	}

	const tags = (flags.tags ?? '')
		.split(',')
		.map(tag => tag.trim())
		.filter(Boolean);
	for (const tag of tags) {
		if (!workerTagPattern.test(tag)) {
			throw new ConfigError(
				`worker: --tags: expected tags of letters, digits, "_" and "-", got "${tag}"`,
			);
		}
	}

	const concurrency = Number(flags.concurrency ?? '1');
	if (!Number.isInteger(concurrency) || concurrency < 1) {
		throw new ConfigError(
			`worker: --concurrency: expected a whole number >= 1, got "${flags.concurrency ?? ''}"`,
		);
	}

	// Escaped: a job id or agent name written to Redis by anyone never moves a terminal's cursor.
	const log = (line: string) => {
		process.stderr.write(
			`${formatClock(new Date().toISOString())} ${escapeControls(line)}\n`,
		);
	};

	const runnable = config.agents.filter(
		agent => agent.runOn !== undefined && tags.includes(agent.runOn),
	);
	if (runnable.length === 0) {
		log(
			`warning: no agent of ${config.displayName} has runOn among its tags (${tags.join(',') || 'none'}): every attempt sent here is refused`,
		);
	}

	const lifecycle = superviseProcess({
		crashDeadlineMs: config.orchestrator.killGraceSeconds * 1000 + 5000,
	});
	try {
		// Loaded only here: BullMQ and ioredis are for workers and engines with orchestrator.workers.
		const {startWorker} = await import('./fleet-chunk.js');
		const worker = await startWorker({
			config,
			redisUrl,
			queue: config.workers?.queue ?? 'moondev',
			tags,
			concurrency,
			log,
			runAgent,
			services: {
				fail: message => new ConfigError(message),
				isProcessRunning,
			},
		});
		const stopped = new Promise<void>(resolve => {
			lifecycle.onStop(() => {
				void worker.stop().finally(resolve);
			});
		});
		lifecycle.onCrash(async () => worker.stop());
		await stopped;
		log('stopped');
		return lifecycle.exitCode() ?? exitCodes.ok;
	} finally {
		lifecycle.dispose();
	}
}
