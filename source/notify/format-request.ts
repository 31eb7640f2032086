import {escapeControls, escapeJsonText} from '../util/escape-text.js';
import type {
	Notification,
	NotifyFormat,
	NotifyRequest,
	NotifyTarget,
} from './types.js';

/*
What each format makes of a notification (contract §9): the HTTP request a target is sent, built
from the notification alone — the URL (a secret) is not needed and never read here.

Every text a person reads starts the same way: the level, the title, the fold count when there is
one, then the text, then which config on which machine sent it. Agent text goes into each service
so that it cannot do more than be read: Slack's `&`, `<` and `>` are escaped (no `<!channel>`, no
link with a made-up label), Discord parses no mention (no @everyone, @here or role ping), and
Telegram gets plain text (no parse_mode, so nothing is markup). Each service's length limit is kept
by cutting with an ellipsis, never inside a surrogate pair or a Slack entity. Lengths are counted
in UTF-16 code units, which is never fewer than the characters a service counts.

The shapes, from each service's documentation:
- Slack incoming webhook (api.slack.com/messaging/webhooks): `{"text", "blocks"}`, `text` the
  fallback for notifications (truncated by Slack past 40,000 characters), a section block's text
  at most 3000 (api.slack.com/reference/block-kit/blocks#section).
- Discord execute webhook (discord.com/developers/docs/resources/webhook#execute-webhook):
  `content` up to 2000 characters; `allowed_mentions: {"parse": []}` parses no mention at all.
- Telegram Bot API sendMessage (core.telegram.org/bots/api#sendmessage): `chat_id`, `text` (1-4096
  characters after entities parsing), and `link_preview_options: {"is_disabled": true}`, which
  Bot API 7.0 put in the place of the older `disable_web_page_preview`.
- healthchecks.io pings (healthchecks.io/docs/attaching_logs/): any method; a POST's body (the
  first 100 kB) is kept with the ping, so it says which config on which machine did what.
*/

/** Slack: the fallback `text` (Slack truncates longer messages). */
export const slackTextLimit = 40_000;
/** Slack: a section block's text. */
export const slackSectionLimit = 3000;
/** Discord: a message's `content`. */
export const discordContentLimit = 2000;
/** Telegram: sendMessage's `text`. */
export const telegramTextLimit = 4096;
/** A heartbeat body: short, it is a log line at the other end. */
export const heartbeatBodyLimit = 1000;

const ellipsis = '…';
const jsonHeaders = {'Content-Type': 'application/json'} as const;
const textHeaders = {'Content-Type': 'text/plain; charset=utf-8'} as const;

/**
The request a target of this format is sent for this notification.

@throws Error for a telegram target without a chat id (the config loader refuses one already).
*/
export function formatRequest(
	target: Pick<NotifyTarget, 'format' | 'chatId'>,
	notification: Notification,
): NotifyRequest {
	switch (target.format) {
		case 'json': {
			return jsonRequest(formatJson(notification));
		}

		case 'slack': {
			return jsonRequest(formatSlack(notification));
		}

		case 'discord': {
			return jsonRequest(formatDiscord(notification));
		}

		case 'telegram': {
			return jsonRequest(formatTelegram(target.chatId, notification));
		}

		case 'heartbeat': {
			return {
				method: 'POST',
				headers: textHeaders,
				body: formatHeartbeat(notification),
			};
		}
	}
}

/**
How a target is named everywhere: `#<index> <format> <host>`. Only the host: a webhook URL's path
and query carry its token, and `URL.host` leaves out any user name and password too.
*/
export function describeTarget(
	index: number,
	format: NotifyFormat,
	url: string,
): string {
	let host: string;
	try {
		host = new URL(url).host;
	} catch {
		return `#${index} ${format} (invalid URL)`;
	}

	return `#${index} ${format} ${host === '' ? '(no host)' : host}`;
}

/**
`text` cut to at most `max` UTF-16 code units, ending with an ellipsis when cut. The cut never
splits a surrogate pair; with `entities` (Slack text, escaped already) it never splits an
`&amp;`, `&lt;` or `&gt;` either.
*/
export function cutText(text: string, max: number, entities = false): string {
	if (text.length <= max) {
		return text;
	}

	if (max < ellipsis.length) {
		return '';
	}

	let end = max - ellipsis.length;
	// A pair's first half at the cut starts a character beyond U+FFFF: leave it out whole.
	if (end > 0 && (text.codePointAt(end - 1) ?? 0) > 0xff_ff) {
		end--;
	}

	if (entities) {
		// Every `&` in escaped Slack text starts an entity, at most 5 long (`&amp;`).
		const ampersand = text.lastIndexOf('&', end - 1);
		if (
			ampersand !== -1 &&
			ampersand > end - 5 &&
			!text.slice(ampersand, end).includes(';')
		) {
			end = ampersand;
		}
	}

	return text.slice(0, end) + ellipsis;
}

function jsonRequest(payload: unknown): NotifyRequest {
	return {
		method: 'POST',
		headers: jsonHeaders,
		body: escapeJsonText(JSON.stringify(payload)),
	};
}

/** The event object (contract §6) with `config`, `host` and, when folded, `count`. */
function formatJson(notification: Notification): Record<string, unknown> {
	return {
		...notification.event,
		config: notification.config,
		host: notification.host,
		...(notification.count === undefined ? {} : {count: notification.count}),
	};
}

/** What every text a person reads is made of, before a format escapes and cuts it. */
type Parts = {
	/** "CRITICAL" */
	readonly level: string;
	/** "cycle 12 halted by risk (×37 in the last minute)" */
	readonly headline: string;
	/** The text, lines separated by \n; empty when there is none. */
	readonly text: string;
	/** "moondev-tui main on trading-box" */
	readonly footer: string;
};

function parts(notification: Notification): Parts {
	const {count} = notification;
	const folded =
		count !== undefined && count > 1 ? ` (×${count} in the last minute)` : '';
	return {
		level: notification.level.toUpperCase(),
		// Title and text come escaped; one more pass is idempotent and keeps \n as line ends.
		headline: escapeControls(notification.title) + folded,
		text: notification.text
			.split('\n')
			.map(line => escapeControls(line))
			.join('\n')
			.trim(),
		footer: `moondev-tui ${escapeControls(notification.config)} on ${escapeControls(notification.host)}`,
	};
}

/**
`head`, `middle` and `tail` (when there is one) on their own lines, at most `max` long: the
middle (the agent's text) is what is cut, so that the level, the title and who sent it stay; if
even they do not fit, the whole is cut.
*/
function assemble(
	{head, middle, tail}: {head: string; middle: string; tail?: string},
	max: number,
	entities = false,
): string {
	const whole = joinLines(head, middle, tail);
	if (whole.length <= max || middle === '') {
		return cutText(whole, max, entities);
	}

	// What is left for the middle once the head, the tail and the line ends are in.
	const room = max - (whole.length - middle.length);
	return room > ellipsis.length
		? joinLines(head, cutText(middle, room, entities), tail)
		: cutText(whole, max, entities);
}

function joinLines(...lines: ReadonlyArray<string | undefined>): string {
	return lines
		.filter((line): line is string => line !== undefined && line !== '')
		.join('\n');
}

/** Slack's three control characters as entities, so that agent text is shown, never parsed. */
function escapeSlack(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;');
}

function formatSlack(notification: Notification): Record<string, unknown> {
	const {level, headline, text, footer} = parts(notification);
	const title = escapeSlack(headline);
	const body = escapeSlack(text);
	const from = escapeSlack(footer);
	return {
		text: assemble(
			{head: `${level}: ${title}`, middle: body, tail: from},
			slackTextLimit,
			true,
		),
		blocks: [
			{
				type: 'section',
				text: {
					type: 'mrkdwn',
					text: assemble(
						{head: `*${level}*: ${title}`, middle: body},
						slackSectionLimit,
						true,
					),
				},
			},
			{
				type: 'context',
				elements: [
					{type: 'mrkdwn', text: cutText(from, slackSectionLimit, true)},
				],
			},
		],
	};
}

/** The plain text Discord and Telegram show. */
function plainText(notification: Notification, max: number): string {
	const {level, headline, text, footer} = parts(notification);
	return assemble(
		{head: `${level}: ${headline}`, middle: text, tail: footer},
		max,
	);
}

function formatDiscord(notification: Notification): Record<string, unknown> {
	return {
		content: plainText(notification, discordContentLimit),
		allowed_mentions: {parse: []},
	};
}

function formatTelegram(
	chatId: string | undefined,
	notification: Notification,
): Record<string, unknown> {
	if (chatId === undefined || chatId === '') {
		throw new Error('A telegram target needs a chatId');
	}

	return {
		chat_id: chatId,
		text: plainText(notification, telegramTextLimit),
		link_preview_options: {is_disabled: true},
	};
}

/** "moondev-tui main on trading-box: cycle 12 ok in 3.2 s" (the level too when not a heartbeat). */
function formatHeartbeat(notification: Notification): string {
	const {level, headline, footer} = parts(notification);
	const what =
		notification.kind === 'heartbeat' ? headline : `${level}: ${headline}`;
	return cutText(`${footer}: ${what}`, heartbeatBodyLimit);
}
