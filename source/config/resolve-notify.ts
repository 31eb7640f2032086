import process from 'node:process';
import type {ConfigError} from './config-error.js';
import type {NotifyTargetConfig} from './schema.js';

/** A `notify` target as the notifier sends to it: `${NAME}` filled in, the URL checked. */
export type ResolvedNotifyTarget = Omit<NotifyTargetConfig, 'chatId'> & {
	/** Telegram's chat id, as text. */
	readonly chatId: string | undefined;
};

const variable = /\$\{([A-Za-z_]\w*)\}/gv;

/**
Resolves the `notify` targets: `${NAME}` in `url` and `chatId` takes its value from the environment,
then from `orchestrator.envFile`. Errors name the key and the variable, never the URL: a webhook URL
carries its token, so it is a secret like an env value.
*/
export function resolveNotifyTargets(
	targets: readonly NotifyTargetConfig[] | undefined,
	sharedEnv: Readonly<Record<string, string>>,
	fail: (keyPath: string, message: string) => ConfigError,
): ResolvedNotifyTarget[] {
	return (targets ?? []).map((target, index) => {
		const keyPath = `notify[${index}]`;
		const fill = (text: string, key: string) =>
			text.replaceAll(variable, (_match, name: string) => {
				const value = Object.hasOwn(process.env, name)
					? process.env[name]
					: sharedEnv[name];
				if (value === undefined || value === '') {
					throw fail(
						`${keyPath}.${key}`,
						`\${${name}} is not set (in the environment or orchestrator.envFile)`,
					);
				}

				return value;
			});

		const url = fill(target.url, 'url');
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			throw fail(
				`${keyPath}.url`,
				'not a URL (expected https://… or http://…; the value is not shown: it may hold a token)',
			);
		}

		if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
			// Not even the scheme is quoted: "sk-live-…:" parses as one.
			throw fail(
				`${keyPath}.url`,
				'expected an https:// or http:// URL (the value is not shown: it may hold a token)',
			);
		}

		const chatId =
			target.chatId === undefined
				? undefined
				: fill(String(target.chatId), 'chatId');
		if (target.format === 'telegram' && chatId === undefined) {
			throw fail(
				`${keyPath}.chatId`,
				'format telegram needs the chat id to send to',
			);
		}

		return {...target, url, chatId};
	});
}
