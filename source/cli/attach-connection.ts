import {ConfigError} from '../config/config-error.js';
import {
	connectToEngine,
	ControlError,
	type ControlConnection,
} from '../control/control-client.js';
import type {AppState} from '../store/state.js';
import type {FoundEngine} from './find-engine.js';

export type Attachment = {
	readonly connection: ControlConnection;
	/** The engine's state when attached; its events follow on the connection. */
	readonly snapshot: AppState;
};

/**
Connects to a running engine and attaches: free of React, so `attach` starts it before it loads
the screen, and the engine builds its snapshot while this process loads Ink. A connection that
cannot be made or is refused is a ConfigError (exit 2) that says why.
*/
export async function openAttachment(engine: FoundEngine): Promise<Attachment> {
	let connection: ControlConnection;
	try {
		connection = await connectToEngine(engine.socket);
	} catch (error) {
		if (error instanceof ControlError) {
			throw new ConfigError(`engine pid ${engine.pid}: ${error.message}`);
		}

		throw error;
	}

	const reply = await connection.request('attach');
	if (!reply.ok || !reply.snapshot) {
		connection.close();
		throw new ConfigError(
			`engine pid ${engine.pid} refused to attach: ${reply.ok ? 'no snapshot' : reply.error}`,
		);
	}

	return {connection, snapshot: reply.snapshot};
}
