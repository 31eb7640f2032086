import process from 'node:process';
import type {EngineEvent} from '../contract/events.js';

export type Listener = (event: EngineEvent) => void;

export type EventBus = {
	/** Delivers an event to every listener, in the order they were added. */
	readonly emit: (event: EngineEvent) => void;
	readonly listen: (listener: Listener) => () => void;
};

/**
The one stream of events with several listeners. An event emitted by a listener while another is
being delivered (an alert raised by a rule) is delivered after it, so every listener sees the
cause before its consequence.
*/
export function createEventBus(
	options: {
		/** Called when a listener throws; the other listeners still get the event. */
		readonly onListenerError?: (error: unknown) => void;
	} = {},
): EventBus {
	const listeners: Listener[] = [];
	const queue: EngineEvent[] = [];
	const failed = new Set<Listener>();
	let delivering = false;
	// One listener's bug (a printer, a file write) must not stop the engine mid-cycle.
	const deliver = (listener: Listener, event: EngineEvent) => {
		try {
			listener(event);
		} catch (error) {
			if (!failed.has(listener)) {
				failed.add(listener);
				(options.onListenerError ?? reportListenerError)(error);
			}
		}
	};

	return {
		emit(event) {
			queue.push(event);
			if (delivering) {
				return;
			}

			delivering = true;
			try {
				for (let next = queue.shift(); next; next = queue.shift()) {
					for (const listener of listeners) {
						deliver(listener, next);
					}
				}
			} finally {
				delivering = false;
				queue.length = 0;
			}
		},
		listen(listener) {
			listeners.push(listener);
			return () => {
				const index = listeners.indexOf(listener);
				if (index !== -1) {
					listeners.splice(index, 1);
				}
			};
		},
	};
}

function reportListenerError(error: unknown): void {
	const text =
		error instanceof Error ? (error.stack ?? error.message) : String(error);
	process.stderr.write(
		`moondev-tui: an event listener failed (reported once): ${text}\n`,
	);
}
