import {Redis} from 'ioredis';

/** How long connecting may take at start before it is a clear error. */
const connectTimeoutMs = 5000;
/**
How long a command of a non-BullMQ connection may go unanswered before it fails: a half-open link
(no reply, no error) must not hang a renewal, a read or a check. Longer than the reads' BLOCK.
*/
export const commandTimeoutMs = 2000;

/**
Connects to Redis and waits until it answers. The URL may hold a password: no message ever
quotes it, only what went wrong (the error's code). `forBullmq` connections retry forever, as
BullMQ requires; the others fail a command at once when the link is down, so a worker notices.
*/
export async function connectRedis(
	url: string,
	{
		fail,
		forBullmq = false,
	}: {readonly fail: (message: string) => Error; readonly forBullmq?: boolean},
): Promise<Redis> {
	let connected = false;
	let redis: Redis;
	try {
		redis = new Redis(url, {
			lazyConnect: true,
			maxRetriesPerRequest: forBullmq ? null : 0,
			enableOfflineQueue: forBullmq,
			connectTimeout: connectTimeoutMs,
			// BullMQ's own blocking commands wait longer; it handles its link itself.
			...(forBullmq ? {} : {commandTimeout: commandTimeoutMs}),
			// At start, one try: a clear error at once. Later, reconnect quickly: fencing counts the silence.
			retryStrategy: () => (connected ? 250 : null),
		});
	} catch {
		// Its error quotes the URL, password included: never passed on.
		throw fail(
			'the Redis URL cannot be parsed (the value is not shown: it may hold a password)',
		);
	}

	// Errors surface through the commands; an unheard 'error' event would crash the process.
	let lastError: unknown;
	const onError = (error: unknown) => {
		lastError = error;
	};

	redis.on('error', onError);
	try {
		await redis.connect();
	} catch (error) {
		// Already ended after its one try; disconnect() would hold the process for its 2 s timer.
		if (redis.status !== 'end') {
			redis.disconnect();
		}

		throw fail(
			`cannot reach Redis (${describeRedisError(lastError ?? error)})`,
		);
	}

	connected = true;
	redis.off('error', onError);
	redis.on('error', () => undefined);

	return redis;
}

/** A Redis error for people, without the URL: its code, or its first words. */
export function describeRedisError(error: unknown): string {
	if (typeof error === 'object' && error !== null) {
		const {code} = error as {code?: unknown};
		if (typeof code === 'string') {
			return code;
		}
	}

	const message = error instanceof Error ? error.message : String(error);
	// Redis' own replies ("NOAUTH …", "WRONGPASS …") start with their code; nothing else is kept.
	return /^[A-Z]{3,}/v.exec(message)?.[0] ?? 'connection error';
}
