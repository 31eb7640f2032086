import {Buffer} from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
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

	let position = copyFrom(file, 0);
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

		position = copyFrom(file, position);
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

/** Writes the file from `position` to its end on stdout; returns where it stopped. */
function copyFrom(file: string, position: number): number {
	let descriptor: number;
	try {
		descriptor = fs.openSync(file, 'r');
	} catch {
		return position;
	}

	try {
		const {size} = fs.fstatSync(descriptor);
		// Truncated under us: from the start again.
		let at = size < position ? 0 : position;
		const buffer = Buffer.alloc(64 * 1024);
		while (at < size) {
			const read = fs.readSync(descriptor, buffer, 0, buffer.length, at);
			if (read === 0) {
				break;
			}

			fs.writeSync(1, buffer.subarray(0, read));
			at += read;
		}

		return at;
	} finally {
		fs.closeSync(descriptor);
	}
}
