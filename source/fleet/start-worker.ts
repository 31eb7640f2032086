import {randomBytes} from 'node:crypto';
import os from 'node:os';
import process from 'node:process';
import {type Job, Worker} from 'bullmq';
import type {ResolvedConfig} from '../config/resolved-config.js';
import type {AttemptResult, RunAgent} from '../runner/run-agent.js';
import {connectRedis} from './connect-redis.js';
import {
	type AttemptJob,
	bullPrefix,
	claimTtlMs,
	type FleetServices,
	fleetKeys,
	parseAttemptJob,
	failedResult,
	parseJson,
} from './fleet-keys.js';
import {createOutputSender} from './output-sender.js';
import {handBackWaiting} from './hand-back.js';
import {type RunningEntry, startWorkerHeartbeat} from './worker-heartbeat.js';

export type WorkerOptions = {
	/** The worker's own config: the only source of what an agent runs and with which env. */
	readonly config: ResolvedConfig;
	/** A secret: never printed. */
	readonly redisUrl: string;
	readonly queue: string;
	readonly tags: readonly string[];
	readonly concurrency: number;
	/** Status lines for people (stderr); never the URL, never an env value. */
	readonly log: (line: string) => void;
	/** The runner of local agents: attempts run here exactly as they would on the engine's machine. */
	readonly runAgent: RunAgent;
	readonly services: FleetServices;
};

export type RunningWorker = {
	readonly id: string;
	/** Takes no new attempt, lets the running ones finish, hands back those not started. */
	readonly stop: () => Promise<void>;
};

/** Cancels kept for jobs that have not reached the processor yet, at most. */
const maxEarlyCancels = 1000;

/**
Runs a worker (contract §10): takes attempts from its own BullMQ queue (the engine picks a live
worker that carries the agent's tag), runs each with the same runner as local agents, streams the
output back, and writes a heartbeat. It runs only what its own config names: a job carries an
agent's name, never a command, and one for an agent it does not have, or not tagged for it, or
sent by an engine that no longer holds the queue, is refused. Fencing: an attempt is killed once
Redis has been silent for fenceSilenceMs, or the engine that sent it no longer holds the queue's
lock (its heartbeat), so a cut-off worker never trades beside a new engine.
*/
export async function startWorker(
	options: WorkerOptions,
): Promise<RunningWorker> {
	const {config, queue, tags, concurrency, log, runAgent} = options;
	const {fail} = options.services;
	const id = `${os
		.hostname()
		.replaceAll(/[^\w\-]/gv, '_')
		.slice(0, 40)}-${process.pid}-${randomBytes(2).toString('hex')}`;
	const keys = fleetKeys(queue);
	const redis = await connectRedis(options.redisUrl, {fail});
	const bullConnection = await connectRedis(options.redisUrl, {
		fail,
		forBullmq: true,
	});
	const subscriber = await connectRedis(options.redisUrl, {
		fail,
		forBullmq: true,
	});

	const running = new Map<string, RunningEntry>();
	/** Cancels of jobs not yet in the processor, the latest few. */
	const early = new Map<string, string>();
	let stopping = false;
	const heartbeat = await startWorkerHeartbeat({
		redis,
		keys,
		who: {id, tags, concurrency},
		running,
		isStopping: () => stopping,
	});
	const {beat} = heartbeat;

	const processAttempt = async (
		job: Job,
		_token: string | undefined,
		signal: AbortSignal | undefined,
	) => {
		const jobId = job.id ?? '';
		const output = createOutputSender(redis, keys.output(jobId));
		const refuse = async (why: string) => {
			log(`refused job ${jobId}: ${why}`);
			await output.end({end: failedResult(`refused by worker ${id}: ${why}`)});
		};

		const data = parseAttemptJob(job.data);
		const refusal = refusalOf(data, {config, tags});
		if (refusal !== undefined || data === undefined) {
			await refuse(refusal ?? 'not an attempt');
			return;
		}

		const agent = config.agents.find(each => each.name === data.agent)!;
		const controller = new AbortController();
		const killNow = new AbortController();
		running.set(jobId, {attempt: {...data, job: jobId}, controller, killNow});
		// Listed in the heartbeat before the engine is checked: an engine that takes the queue after
		// the check finds this attempt running, and waits for it to end.
		await beat();
		const holder = await heartbeat.readEngineLock();
		if (holder?.id !== data.engine) {
			running.delete(jobId);
			void beat();
			await refuse('the engine that sent it does not hold the queue');
			return;
		}

		// Claimed before anything runs: an engine that gave the job up (its `cancelled` is there) has
		// already said it never started, so it must not start; no answer from Redis: not started either.
		const claimed = await redis
			.set(keys.claim(jobId), 'started', 'PX', claimTtlMs, 'NX')
			.catch(() => undefined);
		if (claimed !== 'OK') {
			running.delete(jobId);
			void beat();
			await refuse(
				claimed === null
					? 'the engine gave it up before it started'
					: 'Redis did not answer its claim',
			);
			return;
		}

		const onCancel = () => {
			controller.abort(signal?.reason ?? 'cancelled');
		};

		signal?.addEventListener('abort', onCancel, {once: true});
		// A cancel that came before the processor had its signal, or while the engine was checked.
		const cancelledEarly = early.get(jobId);
		if (cancelledEarly !== undefined) {
			early.delete(jobId);
			controller.abort(cancelledEarly);
		} else if (signal?.aborted) {
			onCancel();
		}

		output.push({start: id});
		log(`${data.agent}: cycle ${data.cycle}, attempt ${data.attempt}`);
		const phase = config.phases.find(each => each.agents.includes(agent.name));
		const timeoutSeconds =
			agent.timeoutSeconds ??
			phase?.timeoutPerAgent ??
			config.orchestrator.timeoutPerAgent;
		let result: AttemptResult;
		try {
			result = await runAgent({
				agent: agent.name,
				command: agent.command,
				cwd: agent.cwd,
				env: {
					...agent.env,
					MOONDEV_AGENT: agent.name,
					MOONDEV_CYCLE: String(data.cycle),
					MOONDEV_ATTEMPT: String(data.attempt),
					MOONDEV_PROTOCOL: '1',
					MOONDEV_HOME: config.homeDir,
					PYTHONUNBUFFERED: '1',
				},
				timeoutMs: timeoutSeconds * 1000,
				killGraceMs: config.orchestrator.killGraceSeconds * 1000,
				signal: controller.signal,
				killNow: killNow.signal,
				onMessage(message) {
					output.push({message});
				},
				onLines(lines, stream) {
					output.push({lines, stream});
				},
			});
		} catch (error) {
			// Whatever happened, the engine gets an end, never silence; it may have started: no retry.
			result = {
				...failedResult(''),
				error: `the worker failed (${error instanceof Error ? error.name : 'error'})`,
				exitCode: undefined,
				signal: undefined,
				haltReason: undefined,
				noRetry: true,
			};
		} finally {
			signal?.removeEventListener('abort', onCancel);
		}

		const reason = controller.signal.reason as unknown;
		const fenced =
			typeof reason === 'string' && reason.startsWith('fenced')
				? reason
				: undefined;
		await output.end({
			end: {
				status: result.status,
				exitCode: result.exitCode,
				signal: result.signal,
				error: fenced ?? result.error,
				haltReason: result.haltReason,
				durationMs: result.durationMs,
				malformedLines: result.malformedLines,
				passed: result.passed,
				untrustedLines: result.untrustedLines,
				...(result.noRetry ? {noRetry: true} : {}),
			},
		});
		running.delete(jobId);
		void beat();
		log(`${data.agent}: ${result.status}${fenced ? ` (${fenced})` : ''}`);
	};

	const worker = new Worker(keys.workerQueue(id), processAttempt, {
		connection: bullConnection,
		prefix: bullPrefix,
		concurrency,
		// A job of a worker that died is failed, never handed to another: never run twice.
		maxStalledCount: 0,
	});
	worker.on('error', () => undefined);

	// The engine asks for a cancel (a timeout, a cancel, a stop) on one channel; BullMQ's
	// cancelJob aborts the processor's signal, which kills the attempt's group with its grace.
	await subscriber.subscribe(keys.cancel);
	subscriber.on('message', (_channel: string, text: string) => {
		const request = parseJson(text) as
			{worker?: unknown; job?: unknown; reason?: unknown} | undefined;
		if (request?.worker === id && typeof request.job === 'string') {
			const reason =
				typeof request.reason === 'string' ? request.reason : 'cancelled';
			// Not yet in the processor (taken, not started): kept, so it is cancelled as it starts.
			if (!worker.cancelJob(request.job, reason)) {
				early.set(request.job, reason);
				for (const old of early.keys()) {
					if (early.size <= maxEarlyCancels) {
						break;
					}

					early.delete(old);
				}
			}
		}
	});

	log(
		`worker ${id} on queue ${queue}, tags ${tags.join(',') || '(none)'}, concurrency ${concurrency}`,
	);

	let stopped: Promise<void> | undefined;
	return {
		id,
		async stop() {
			stopped ??= (async () => {
				stopping = true;
				await beat();
				log('stopping: takes no new attempt; the running ones finish');
				await worker.close();
				await handBackWaiting({bullConnection, redis, keys, id});
				heartbeat.stop();
				await redis
					.multi()
					.del(keys.worker(id))
					.srem(keys.workers, id)
					.exec()
					.catch(() => undefined);
				subscriber.disconnect();
				bullConnection.disconnect();
				redis.disconnect();
			})();
			return stopped;
		},
	};
}

/** Why a job is refused by this worker's config and tags, if it is. */
function refusalOf(
	data: AttemptJob | undefined,
	{
		config,
		tags,
	}: {
		readonly config: ResolvedConfig;
		readonly tags: readonly string[];
	},
): string | undefined {
	if (data === undefined) {
		return 'not an attempt';
	}

	const agent = config.agents.find(each => each.name === data.agent);
	if (!agent) {
		return `no agent ${JSON.stringify(data.agent)} in its config`;
	}

	if (agent.runOn === undefined || !tags.includes(agent.runOn)) {
		return `${agent.name} does not run on its tags (${tags.join(',') || 'none'})`;
	}

	return undefined;
}
