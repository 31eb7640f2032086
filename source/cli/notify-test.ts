import {hostname} from 'node:os';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {ConfigError} from '../config/config-error.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {describeTarget, formatRequest} from '../notify/format-request.js';
import {testNotification} from '../notify/notifications.js';
import {networkReason} from '../notify/target-delivery.js';
import {exitCodes} from './exit-codes.js';

/**
`moondev-tui notify test`: one message to every target, each one's result on a line, so a webhook
is checked without waiting for a halt. Exit 0 when every target took it, 1 when one did not. A
target is named by its label only: its URL is a secret, and so is what an error might quote of it.
*/
export async function runNotifyTest(config: ResolvedConfig): Promise<number> {
	if (config.notify.length === 0) {
		throw new ConfigError(
			`${config.displayName}: no notify targets to test: add a "notify" list (see docs/notify.md)`,
		);
	}

	const context = {config: config.displayName, host: hostname()};
	const results = await Promise.all(
		config.notify.map(async (target, position) => {
			const label = describeTarget(position + 1, target.format, target.url);
			const request = formatRequest(
				target,
				testNotification(new Date().toISOString(), label, context),
			);
			const started = performance.now();
			const took = () => `${Math.round(performance.now() - started)} ms`;
			try {
				const response = await fetch(target.url, {
					method: request.method,
					headers: request.headers,
					body: request.body,
					signal: AbortSignal.timeout(target.timeoutSeconds * 1000),
					// As the engine delivers: a redirect is not followed (the body would go elsewhere).
					redirect: 'manual',
				});
				await response.body?.cancel();
				const redirect = response.status >= 300 && response.status < 400;
				return {
					ok: response.ok,
					line: `${label}: ${response.ok ? 'ok' : 'failed'} (HTTP ${response.status}${redirect ? ': a redirect, which the engine does not follow' : ''}, ${took()})`,
				};
			} catch (error) {
				return {
					ok: false,
					line: `${label}: failed (${whyNot(error, target.timeoutSeconds)}, ${took()})`,
				};
			}
		}),
	);
	for (const result of results) {
		process.stdout.write(`${result.line}\n`);
	}

	return results.every(result => result.ok)
		? exitCodes.ok
		: exitCodes.agentFailed;
}

/** Why a request got no answer, without the URL: a timeout, or the network error's code. */
function whyNot(error: unknown, timeoutSeconds: number): string {
	return error instanceof Error && error.name === 'TimeoutError'
		? `no answer within ${timeoutSeconds}s`
		: networkReason(error);
}
