import type {EngineEvent} from './events.js';

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
export function createEventBus(): EventBus {
	const listeners: Listener[] = [];
	const queue: EngineEvent[] = [];
	let delivering = false;

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
						listener(next);
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
