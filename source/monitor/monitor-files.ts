import {Buffer} from 'node:buffer';
import {appendFileSync, mkdirSync, renameSync, statSync} from 'node:fs';
import path from 'node:path';
import {escapeJsonText} from '../util/escape-text.js';
import {writeFileAtomicSync} from './atomic-write.js';
import {
	applyRetention,
	type CycleMetrics,
	metricsFileName,
} from './metrics-file.js';
import {type MonitorState, saveState} from './state-file.js';

/** Past this size alerts.jsonl is rotated to alerts.jsonl.1. */
const maxAlertsFileBytes = 10 * 1024 * 1024;

export type MonitorFiles = {
	/** Appends one alert to alerts.jsonl (rotated past 10 MB). */
	readonly appendAlert: (entry: Readonly<Record<string, unknown>>) => void;
	/**
	Writes the cycle's metrics file (retention applied) and the Prometheus file; the metrics file,
	or why it was not written (the Prometheus file's failure is its own, reported apart).
	*/
	readonly writeCycle: (
		metrics: CycleMetrics,
		prometheus: string,
		time: Date,
	) =>
		{readonly path: string; readonly bytes: number} | {readonly error: string};
	readonly saveState: (state: MonitorState) => void;
};

/**
The one writer of the metrics folder's files: alerts.jsonl, the metrics files, moondev.prom (or
`promFile`, wherever it is, e.g. node_exporter's textfile folder) and state.json, each written
atomically but the append-only alerts. A write that fails is reported through `onFailure` once per
kind of file, until that kind is written again: a folder that stays broken raises one alert, not
one per cycle.
*/
export function createMonitorFiles(options: {
	readonly folder: string;
	/** Absolute; default `<folder>/moondev.prom`. */
	readonly promFile?: string | undefined;
	readonly retention: number;
	readonly onFailure: (what: string, error: unknown) => void;
}): MonitorFiles {
	const {folder} = options;
	const defaultPromFile = path.join(folder, 'moondev.prom');
	const promFile = options.promFile ?? defaultPromFile;
	// Named as people know it: by its name in the metrics folder, by its path elsewhere.
	const promWhat = promFile === defaultPromFile ? 'moondev.prom' : promFile;
	const failing = new Set<string>();
	const attempt = <T>(what: string, write: () => T): T | {error: string} => {
		try {
			const result = write();
			failing.delete(what);
			return result;
		} catch (error) {
			if (!failing.has(what)) {
				failing.add(what);
				options.onFailure(what, error);
			}

			return {error: error instanceof Error ? error.message : String(error)};
		}
	};

	return {
		appendAlert(entry) {
			attempt('alerts.jsonl', () => {
				mkdirSync(folder, {recursive: true});
				const file = path.join(folder, 'alerts.jsonl');
				if (
					(statSync(file, {throwIfNoEntry: false})?.size ?? 0) >
					maxAlertsFileBytes
				) {
					renameSync(file, `${file}.1`);
				}

				appendFileSync(file, `${escapeJsonText(JSON.stringify(entry))}\n`);
			});
		},
		writeCycle(metrics, prometheus, time) {
			const written = attempt('metrics', () => {
				mkdirSync(folder, {recursive: true});
				const file = path.join(folder, metricsFileName(folder, time));
				const text = `${JSON.stringify(metrics, undefined, 2)}\n`;
				writeFileAtomicSync(file, text);
				applyRetention(folder, options.retention);
				return {path: file, bytes: Buffer.byteLength(text)};
			});
			attempt(promWhat, () => {
				// A folder named by promFile is not made: a mistyped one is said, not created.
				if (promFile === defaultPromFile) {
					mkdirSync(folder, {recursive: true});
				}

				writeFileAtomicSync(promFile, prometheus);
			});
			return written;
		},
		saveState(state) {
			attempt('the state file', () => {
				saveState(folder, state);
			});
		},
	};
}
