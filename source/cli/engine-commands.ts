import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {ConfigError} from '../config/config-error.js';
import {
	connectToEngine,
	ControlError,
	type ControlConnection,
} from '../control/control-client.js';
import {formatStatus} from '../control/format-status.js';
import type {ControlOp} from '../control/protocol.js';
import {isProcessRunning} from '../runner/process-info.js';
import {escapeJsonText} from '../util/escape-text.js';
import {exitCodes} from './exit-codes.js';
import {findEngine, type FoundEngine} from './find-engine.js';
import type {RawFlags} from './flags.js';

/** The one-request commands (contract §8), by their name on the command line. */
export const engineCommands = new Set([
	'status',
	'pause',
	'resume',
	'force',
	'stop',
	'reload',
	'enable',
	'disable',
	'cancel',
]);

const agentCommands = new Set(['enable', 'disable', 'cancel']);

/**
One request to the running engine, and what it answered: exit 0 when done, 1 when the engine
refused (its reason on stderr), 2 when no engine runs (a ConfigError, listing those that do).
`stop` returns once the engine has ended, so `moondev-tui stop && moondev-tui` is safe.
*/
export async function runEngineCommand(
	command: string,
	agent: string | undefined,
	flags: RawFlags,
): Promise<number> {
	if (agentCommands.has(command) && agent === undefined) {
		throw new ConfigError(
			`${command}: which agent? (moondev-tui ${command} <agent>)`,
		);
	}

	const engine = findEngine(flags);
	const connection = await connect(engine);
	try {
		const reply = await connection.request(command as ControlOp, {
			...(agent === undefined ? {} : {agent}),
			...(flags.yes ? {yes: true} : {}),
		});
		if (!reply.ok) {
			process.stderr.write(`moondev-tui ${command}: ${reply.error}\n`);
			return exitCodes.agentFailed;
		}

		if (command === 'status' && reply.status) {
			process.stdout.write(
				flags.json
					? `${escapeJsonText(JSON.stringify(reply.status))}\n`
					: `${formatStatus(reply.status)}\n`,
			);
			return exitCodes.ok;
		}

		process.stdout.write(`${reply.message ?? 'done'}\n`);
		if (command === 'stop') {
			await untilGone(connection, engine.pid);
			process.stdout.write(`engine pid ${engine.pid} stopped\n`);
		}

		return exitCodes.ok;
	} finally {
		connection.close();
	}
}

/** Connects, turning "cannot" into a usage error (exit 2) that says why. */
async function connect(engine: FoundEngine): Promise<ControlConnection> {
	try {
		return await connectToEngine(engine.socket);
	} catch (error) {
		if (error instanceof ControlError) {
			throw new ConfigError(`engine pid ${engine.pid}: ${error.message}`);
		}

		throw error;
	}
}

/** Resolves once the engine closed its socket and its process is gone. */
async function untilGone(
	connection: ControlConnection,
	pid: number,
): Promise<void> {
	await new Promise<void>(resolve => {
		connection.onClose(resolve);
	});
	// A zombie is gone: its parent may never reap it, and stop must not wait for that.
	while (isProcessRunning(pid)) {
		// eslint-disable-next-line no-await-in-loop -- polling a pid is waiting for it
		await delay(50);
	}
}
