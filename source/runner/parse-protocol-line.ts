import {Buffer} from 'node:buffer';
import type {AlertLevel} from '../contract/events.js';
import {escapeControls} from '../util/escape-text.js';

/** Lines of stdout that start with this carry one JSON object for moondev-tui (contract §4). */
export const protocolPrefix = '::moondev::';

export type ProtocolMessage =
	| {
			readonly type: 'progress';
			readonly percent: number | null;
			readonly message: string | null;
	  }
	| {readonly type: 'metric'; readonly name: string; readonly value: number}
	| {
			readonly type: 'alert';
			readonly level: AlertLevel;
			readonly message: string;
	  }
	| {readonly type: 'halt'; readonly reason: string}
	| {readonly type: 'pass'; readonly message: string | null};

const alertLevels = new Set<unknown>(['info', 'warning', 'critical']);
const maxTextLength = 500;

/**
Reads a `::moondev::` line; undefined when it is malformed (not JSON, an unknown type, a field of
the wrong type), so that the caller keeps it as a log line and counts it. Its text (messages,
reasons) comes back with control characters escaped, then cut at 500 characters.
*/
export function parseProtocolLine(line: string): ProtocolMessage | undefined {
	let data: unknown;
	try {
		data = JSON.parse(line.slice(protocolPrefix.length));
	} catch {
		return undefined;
	}

	if (typeof data !== 'object' || data === null) {
		return undefined;
	}

	const fields = data as Record<string, unknown>;
	switch (fields['type']) {
		case 'progress': {
			const {percent, message} = fields;
			const hasPercent =
				typeof percent === 'number' && Number.isFinite(percent);
			const hasMessage = typeof message === 'string';
			if (
				(percent !== undefined && !hasPercent) ||
				(message !== undefined && !hasMessage)
			) {
				return undefined;
			}

			if (!hasPercent && !hasMessage) {
				return undefined;
			}

			return {
				type: 'progress',
				percent: hasPercent ? Math.min(100, Math.max(0, percent)) : null,
				message: hasMessage ? clip(message) : null,
			};
		}

		case 'metric': {
			const {name, value} = fields;
			if (typeof name !== 'string' || !/^[\w.:\-]{1,100}$/v.test(name)) {
				return undefined;
			}

			if (typeof value !== 'number' || !Number.isFinite(value)) {
				return undefined;
			}

			return {type: 'metric', name, value};
		}

		case 'alert': {
			const {level = 'warning', message} = fields;
			if (
				!alertLevels.has(level) ||
				typeof message !== 'string' ||
				message === ''
			) {
				return undefined;
			}

			return {
				type: 'alert',
				level: level as AlertLevel,
				message: clip(message),
			};
		}

		case 'halt': {
			const {reason = 'halt requested'} = fields;
			if (typeof reason !== 'string') {
				return undefined;
			}

			return {type: 'halt', reason: clip(reason) || 'halt requested'};
		}

		case 'pass': {
			const {message} = fields;
			if (message !== undefined && typeof message !== 'string') {
				return undefined;
			}

			return {
				type: 'pass',
				message: message === undefined ? null : clip(message),
			};
		}

		default: {
			return undefined;
		}
	}
}

/**
Why a line that looks like a protocol line is not a valid one, for a critical agent: a malformed
line of the risk check is never ignored. That is any `::moondev::` line on stdout that cannot be
read, and any line that looks like a halt but is not a valid one (the prefix in another case, text
before it, on stderr). Undefined for everything else. Cheap for ordinary log lines.
*/
export function untrustedProtocolLine(
	line: string,
	stream: 'stdout' | 'stderr',
): string | undefined {
	if (!line.includes('::')) {
		return undefined;
	}

	const lower = line.toLowerCase();
	const at = lower.indexOf(protocolPrefix);
	const exact =
		stream === 'stdout' && at === 0 && line.startsWith(protocolPrefix);
	if (at === -1 || (!exact && !lower.includes('halt'))) {
		return undefined;
	}

	// JSON.stringify escapes C0 controls; the rest (C1, bidi, U+2028) would still reach a screen.
	const quoted = escapeControls(
		JSON.stringify(line.length > 120 ? `${line.slice(0, 119)}…` : line),
	);
	if (stream === 'stderr') {
		return `a protocol line on stderr (only stdout carries it): ${quoted}`;
	}

	if (!line.startsWith(protocolPrefix)) {
		return at > 0
			? `a protocol line with text before it: ${quoted}`
			: `a protocol line in the wrong case: ${quoted}`;
	}

	return parseProtocolLine(line)
		? undefined
		: `a protocol line that cannot be read (not JSON, an unknown type or a field of the wrong type): ${quoted}`;
}

/**
Agent text as the engine carries it: control characters escaped (so that no printer, file or
alert downstream gets a newline, a cursor move or a title change from an agent), then cut.
*/
function clip(text: string): string {
	const safe = escapeControls(text);
	// A slice keeps its whole parent string alive in V8 (a line of up to 1 MiB, for as long as the
	// message is kept): the cut text is copied into a string of its own.
	return safe.length > maxTextLength
		? `${Buffer.from(safe.slice(0, maxTextLength - 1), 'utf16le').toString('utf16le')}…`
		: safe;
}
