import process from 'node:process';
import type {ConfigError} from './config-error.js';
import {isRedisUrl} from './redis-url.js';
import type {ResolvedAgent, ResolvedWorkers} from './resolved-config.js';
import type {OrchestratorConfig} from './schema.js';

const variable = /\$\{([A-Za-z_]\w*)\}/gv;

/**
Resolves `orchestrator.workers` (contract §10): `${NAME}` in `redis` from the environment, then
from `orchestrator.envFile`, as the notify URLs are. Errors name the key and the variable, never
the URL: it may carry a password. An agent with `runOn` needs the workers.
*/
export function resolveWorkers(
	workers: OrchestratorConfig['workers'],
	agents: readonly ResolvedAgent[],
	{
		sharedEnv,
		fail,
		withoutUrl,
	}: {
		readonly sharedEnv: Readonly<Record<string, string>>;
		readonly fail: (keyPath: string, message: string) => ConfigError;
		/** For commands that reach no engine's Redis (`logs`, `worker`, which has its own --redis). */
		readonly withoutUrl: boolean;
	},
): ResolvedWorkers | undefined {
	if (workers === undefined) {
		const remote = agents.find(agent => agent.runOn !== undefined);
		if (remote) {
			throw fail(
				`agents.${remote.name}.runOn`,
				'needs orchestrator.workers (the Redis URL and queue the workers take attempts from)',
			);
		}

		return undefined;
	}

	if (withoutUrl) {
		return {redisUrl: '', queue: workers.queue};
	}

	const redisUrl = workers.redis.replaceAll(
		variable,
		(_match, name: string) => {
			const value = Object.hasOwn(process.env, name)
				? process.env[name]
				: sharedEnv[name];
			if (value === undefined || value === '') {
				throw fail(
					'orchestrator.workers.redis',
					`\${${name}} is not set (in the environment or orchestrator.envFile)`,
				);
			}

			return value;
		},
	);
	if (!isRedisUrl(redisUrl)) {
		throw fail(
			'orchestrator.workers.redis',
			'expected a redis:// or rediss:// URL of a host and a numeric port (the value is not shown: it may hold a password)',
		);
	}

	return {redisUrl, queue: workers.queue};
}
