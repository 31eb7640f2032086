import type {
	AlertEvent,
	AlertLevel,
	Emit,
	EngineEvent,
	HaltEvent,
} from '../contract/events.js';
import type {ResolvedNotifyTarget} from '../config/resolve-notify.js';
import {describeTarget, formatRequest} from './format-request.js';
import {
	alertNotification,
	cycleEndNotification,
	engineStartNotification,
	engineStopNotification,
	haltNotification,
	heartbeatNotification,
	type NotifyContext,
	summaryNotification,
} from './notifications.js';
import {
	createTargetDelivery,
	type DeliveryOptions,
	type TargetDelivery,
} from './target-delivery.js';
import type {Notification, NotifyTarget} from './types.js';

export type NotifierOptions = {
	readonly targets: readonly ResolvedNotifyTarget[];
	readonly context: NotifyContext;
	/** The event bus: a target that keeps failing is said as a warning alert (the others get it). */
	readonly emit: Emit;
	/** The agents that will not run in the cycle a halt stops (the state a screen shows knows). */
	readonly notRunAt: (halt: HaltEvent) => readonly string[];
	readonly pid: number;
	/** The delivery of one target; tests inject one. */
	readonly createDelivery?: (options: DeliveryOptions) => TargetDelivery;
	/** The fold and the cap count over this long. @default 60_000 */
	readonly windowMs?: number;
	/** Timers for the windows; tests inject a fake. */
	readonly setTimer?: (callback: () => void, ms: number) => void;
	readonly now?: () => number;
};

export type TargetStats = {
	readonly label: string;
	readonly sent: number;
	/** Not delivered: failed after its retries, refused, or still queued at the stop. */
	readonly failed: number;
	readonly dropped: number;
	/** Repeats of an alert folded into one message with a count. */
	readonly folded: number;
	/** Held back by the cap per minute (said in a summary). */
	readonly held: number;
};

export type Notifier = {
	readonly listen: (event: EngineEvent) => void;
	/** Sends `engine_start` to the targets that asked for it. */
	readonly engineStarted: () => void;
	readonly stats: () => readonly TargetStats[];
	/** Gives the queues `ms` at most to empty (a graceful stop), then drops what is left. */
	readonly close: (ms: number) => Promise<void>;
};

const levelRank: Record<AlertLevel, number> = {
	info: 0,
	warning: 1,
	critical: 2,
};

type TargetState = {
	readonly target: NotifyTarget;
	readonly delivery: TargetDelivery;
	/** Alerts sent this window, by what makes them the same; repeats are counted here. */
	readonly folds: Map<string, {event: AlertEvent; repeats: number}>;
	sentThisWindow: number;
	heldThisWindow: number;
	windowOpen: boolean;
	folded: number;
	held: number;
};

/**
Sends the events each target asked for, off the engine's path (contract §9): routing by `events`
and `minLevel`, a halt as one critical alert with what it stopped, the same alert repeated within
a minute folded into one message with a count, a cap per minute that never holds back a critical
alert or a halt, a heartbeat after every cycle. Delivery itself — queue, timeout, retries,
Retry-After, a target that keeps failing — is each target's `TargetDelivery`.
*/
export function createNotifier(options: NotifierOptions): Notifier {
	const {context, emit} = options;
	const windowMs = options.windowMs ?? 60_000;
	const now = options.now ?? Date.now;
	const setTimer =
		options.setTimer ??
		((callback: () => void, ms: number) => {
			setTimeout(callback, ms).unref();
		});
	const createDelivery = options.createDelivery ?? createTargetDelivery;
	// Alerts this notifier raised about a target: never sent to that target itself.
	const aboutTarget = new WeakMap<EngineEvent, TargetState>();
	const time = () => new Date(now()).toISOString();

	const states: TargetState[] = options.targets.map((resolved, position) => {
		const index = position + 1;
		const target: NotifyTarget = {
			index,
			url: resolved.url,
			format: resolved.format,
			minLevel: resolved.minLevel,
			events: resolved.events,
			chatId: resolved.chatId,
			timeoutSeconds: resolved.timeoutSeconds,
			maxPerMinute: resolved.maxPerMinute,
			label: describeTarget(index, resolved.format, resolved.url),
		};
		const state: TargetState = {
			target,
			delivery: createDelivery({
				url: target.url,
				label: target.label,
				timeoutMs: target.timeoutSeconds * 1000,
				onDown(reason) {
					raise(
						state,
						'warning',
						// The reason names the target by its label already.
						`notify ${reason}: its messages are retried later; the other targets still get alerts`,
					);
				},
				onUp() {
					raise(state, 'info', `notify target ${target.label} works again`);
				},
			}),
			folds: new Map(),
			sentThisWindow: 0,
			heldThisWindow: 0,
			windowOpen: false,
			folded: 0,
			held: 0,
		};
		return state;
	});

	function raise(state: TargetState, level: AlertLevel, message: string) {
		const event: AlertEvent = {type: 'alert', time: time(), level, message};
		aboutTarget.set(event, state);
		emit(event);
	}

	const deliver = (
		state: TargetState,
		notification: Notification,
		critical: boolean,
	) => {
		try {
			state.delivery.enqueue(formatRequest(state.target, notification), {
				critical,
			});
		} catch {
			// A body that cannot be made (it would be a bug) must not stop the others.
		}
	};

	/** Sends, within the cap per minute unless critical; what the cap holds back is summarized. */
	const send = (
		state: TargetState,
		notification: Notification,
		critical: boolean,
	) => {
		if (!critical) {
			if (state.sentThisWindow >= state.target.maxPerMinute) {
				state.heldThisWindow++;
				state.held++;
				return;
			}

			state.sentThisWindow++;
		}

		if (!state.windowOpen) {
			state.windowOpen = true;
			setTimer(() => {
				closeWindow(state);
			}, windowMs);
		}

		deliver(state, notification, critical);
	};

	const closeWindow = (state: TargetState) => {
		state.windowOpen = false;
		state.sentThisWindow = 0;
		const held = state.heldThisWindow;
		state.heldThisWindow = 0;
		if (held > 0) {
			deliver(
				state,
				summaryNotification(
					time(),
					`${held} more notification${held === 1 ? ' was' : 's were'} held back in the last minute (at most ${state.target.maxPerMinute} a minute; critical alerts and halts are never held back)`,
					context,
				),
				false,
			);
		}
	};

	/** An alert, or its repeat within the window: counted, then sent once with the count. */
	const sendAlert = (state: TargetState, event: AlertEvent) => {
		const key = `${event.level}\u0000${event.agent ?? ''}\u0000${event.message}`;
		const fold = state.folds.get(key);
		if (fold) {
			fold.repeats++;
			fold.event = event;
			state.folded++;
			return;
		}

		const opened = {event, repeats: 0};
		state.folds.set(key, opened);
		setTimer(() => {
			state.folds.delete(key);
			if (opened.repeats > 0) {
				send(
					state,
					alertNotification(opened.event, context, opened.repeats),
					opened.event.level === 'critical',
				);
			}
		}, windowMs);
		send(state, alertNotification(event, context), event.level === 'critical');
	};

	const asked = (state: TargetState, kind: NotifyTarget['events'][number]) =>
		state.target.format !== 'heartbeat' && state.target.events.includes(kind);

	// The monitoring half answers a halt with its critical alert, delivered right after it: that
	// alert is the halt, which goes out once, as the halt's own message.
	let haltAlert: {message: string; agent: string} | undefined;
	const isHaltAlert = (event: AlertEvent) =>
		haltAlert !== undefined &&
		event.level === 'critical' &&
		event.agent === haltAlert.agent &&
		event.message === haltAlert.message;

	return {
		listen(event) {
			if (event.type === 'alert') {
				if (isHaltAlert(event)) {
					haltAlert = undefined;
					return;
				}

				const about = aboutTarget.get(event);
				for (const state of states) {
					if (
						state !== about &&
						asked(state, 'alert') &&
						levelRank[event.level] >= levelRank[state.target.minLevel]
					) {
						sendAlert(state, event);
					}
				}

				return;
			}

			// The halt's alert comes right after the halt or not at all.
			haltAlert = undefined;
			if (event.type === 'halt') {
				haltAlert = {
					message: `cycle ${event.cycle} halted by ${event.agent}: ${event.reason}`,
					agent: event.agent,
				};
				const notification = haltNotification(
					event,
					options.notRunAt(event),
					context,
				);
				for (const state of states) {
					if (asked(state, 'halt') || asked(state, 'alert')) {
						send(state, notification, true);
					}
				}

				return;
			}

			if (event.type === 'cycle_end') {
				for (const state of states) {
					if (state.target.format === 'heartbeat') {
						// A dead-man's switch: never held back, and one ping waiting is enough (pings
						// queued while it was down would tell it of cycles long past).
						if (state.delivery.stats().queued === 0) {
							send(state, heartbeatNotification(event, context), true);
						}
					} else if (asked(state, 'cycle_end')) {
						const notification = cycleEndNotification(event, context);
						send(state, notification, notification.level === 'critical');
					}
				}

				return;
			}

			if (event.type === 'engine_stop') {
				for (const state of states) {
					if (asked(state, 'engine_stop')) {
						send(state, engineStopNotification(event, context), true);
					}
				}
			}
		},
		engineStarted() {
			for (const state of states) {
				if (asked(state, 'engine_start')) {
					send(
						state,
						engineStartNotification(time(), options.pid, context),
						true,
					);
				}
			}
		},
		stats: () =>
			states.map(state => {
				const delivered = state.delivery.stats();
				return {
					label: state.target.label,
					sent: delivered.sent,
					failed: delivered.failed,
					dropped: delivered.dropped,
					folded: state.folded,
					held: state.held,
				};
			}),
		async close(ms) {
			await Promise.all(states.map(async state => state.delivery.drain(ms)));
		},
	};
}
