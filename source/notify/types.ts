import type {AlertLevel} from '../contract/events.js';

/*
Notifications (contract §9): the targets a config names, and what is sent to them. A target's URL
(and a Telegram chat id) is a secret — webhook URLs carry tokens — so everything that is shown
names a target by its label, `#n format host`, only.
*/

export type NotifyFormat =
	'json' | 'slack' | 'discord' | 'telegram' | 'heartbeat';

/** What a target may ask for in `events`. A halt is sent as one critical alert. */
export type NotifyEventKind =
	'alert' | 'halt' | 'cycle_end' | 'engine_start' | 'engine_stop';

/** A `notify` entry, resolved: `${NAME}` values filled in, defaults applied. */
export type NotifyTarget = {
	/** 1-based position in the config's `notify` list. */
	readonly index: number;
	/** Secret: never shown, logged or sent anywhere but in the request itself. */
	readonly url: string;
	readonly format: NotifyFormat;
	/** Alerts below this level are not sent. @default 'warning' */
	readonly minLevel: AlertLevel;
	/** @default ['alert'] ; a heartbeat target gets a request after every cycle whatever this says */
	readonly events: readonly NotifyEventKind[];
	/** Telegram's chat id (secret too). */
	readonly chatId: string | undefined;
	/** Seconds a request may take. @default 5 */
	readonly timeoutSeconds: number;
	/** Non-critical notifications sent per minute at most; critical ones are never held back. @default 20 */
	readonly maxPerMinute: number;
	/** "#1 slack hooks.slack.com": how the target is named everywhere. */
	readonly label: string;
};

/** The kinds of notification, for the formats: an event kind, or one of the notifier's own. */
export type NotificationKind =
	| NotifyEventKind
	/** After every completed cycle, to heartbeat targets. */
	| 'heartbeat'
	/** `moondev-tui notify test`. */
	| 'test'
	/** What a fold or the cap held back in the last minute. */
	| 'summary';

/** One message for one target, before its format makes a request body of it. */
export type Notification = {
	readonly kind: NotificationKind;
	readonly level: AlertLevel;
	/** ISO 8601. */
	readonly time: string;
	/** One line a person reads first, e.g. "cycle 12 halted by risk". Controls already escaped. */
	readonly title: string;
	/** The whole message, lines separated by \n: the reason, the agent, the cycle, what did not run. Controls already escaped. */
	readonly text: string;
	readonly agent?: string | undefined;
	readonly cycle?: number | undefined;
	/** Folded repeats: the same alert this many times. */
	readonly count?: number | undefined;
	/** The config's name, as the screen shows it. */
	readonly config: string;
	/** This machine's host name. */
	readonly host: string;
	/**
	For the `json` format: the event object as in contract §6 (a halt as a critical `alert`), to
	which the format adds `config` and `host`.
	*/
	readonly event: Readonly<Record<string, unknown>>;
};

/** A request to send: what a format makes of a notification. */
export type NotifyRequest = {
	readonly method: 'POST';
	readonly headers: Readonly<Record<string, string>>;
	readonly body: string;
};
