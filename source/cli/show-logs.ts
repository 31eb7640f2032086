import {Buffer} from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {once} from 'node:events';
import {setTimeout as delay} from 'node:timers/promises';
import {ConfigError} from '../config/config-error.js';
import type {ResolvedConfig} from '../config/resolved-config.js';
import {exitCodes} from './exit-codes.js';

/** How often `logs -f` looks for new lines; a log is written in 100 ms batches at most. */
const followEveryMs = 200;

/**
`logs <agent> [-f]`: the agent's log file (contract §7) on stdout, read from the metrics folder, so
it works whether an engine runs or not. With `follow`, new lines as they are written, across the
rotation at 10 MB (a new file under the same name is read from its start), until interrupted.
The log's text is already escaped by the engine: printing it moves no cursor.
*/
export async function showLogs(
	config: ResolvedConfig,
	agent: string | undefined,
	options: {readonly follow: boolean; readonly signal?: AbortSignal},
): Promise<number> {
	if (agent === undefined) {
		throw new ConfigError('logs: which agent? (moondev-tui logs <agent> [-f])');
	}

	if (!config.agents.some(candidate => candidate.name === agent)) {
		throw new ConfigError(
			`${config.displayName}: no agent named "${agent}" (agents: ${config.agents.map(candidate => candidate.name).join(', ')})`,
		);
	}

	const file = path.join(
		config.orchestrator.metricsExportDir,
		'logs',
		`${agent}.log`,
	);
	if (!fs.existsSync(file) && !options.follow) {
		process.stderr.write(`${agent} has no log yet (${file})\n`);
		return exitCodes.agentFailed;
	}

	// A reader that went away (`| head`) ends the command, as it would end cat.
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') {
			// eslint-disable-next-line unicorn/no-process-exit -- nobody reads any more: done
			process.exit(exitCodes.ok);
		}

		throw error;
	});
	let position = await copyFrom(file, 0);
	if (!options.follow) {
		return exitCodes.ok;
	}

	let inode = inodeOf(file);
	while (!options.signal?.aborted) {
		// eslint-disable-next-line no-await-in-loop -- following a file is polling it
		await delay(followEveryMs);
		const now = inodeOf(file);
		if (now !== inode) {
			// Rotated (or created): the new file from its start.
			inode = now;
			position = 0;
		}

		// eslint-disable-next-line no-await-in-loop
		position = await copyFrom(file, position);
	}

	return exitCodes.ok;
}

function inodeOf(file: string): number | undefined {
	try {
		return fs.statSync(file).ino;
	} catch {
		return undefined;
	}
}

/**
Writes the file from `position` to its end on stdout, as fast as the reader takes it (a pipe to a
slow reader is waited for, never written past: stdout may be non-blocking); returns where it
stopped.
*/
async function copyFrom(file: string, position: number): Promise<number> {
	let handle: fs.promises.FileHandle;
	try {
		handle = await fs.promises.open(file, 'r');
	} catch {
		return position;
	}

	try {
		const {size} = await handle.stat();
		// Truncated under us: from the start again.
		let at = size < position ? 0 : position;
		const buffer = Buffer.alloc(64 * 1024);
		while (at < size) {
			// eslint-disable-next-line no-await-in-loop -- one chunk after another, in order
			const {bytesRead} = await handle.read(buffer, 0, buffer.length, at);
			if (bytesRead === 0) {
				break;
			}

			if (!process.stdout.write(Buffer.from(buffer.subarray(0, bytesRead)))) {
				// eslint-disable-next-line no-await-in-loop
				await once(process.stdout, 'drain');
			}

			at += bytesRead;
		}

		return at;
	} finally {
		await handle.close();
	}
}
