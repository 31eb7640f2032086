import type {
	AlertEvent,
	CycleEndEvent,
	EngineStopEvent,
	HaltEvent,
} from '../contract/events.js';
import {escapeControls} from '../util/escape-text.js';
import {formatDuration} from '../util/format.js';
import type {Notification} from './types.js';

/** Which engine a message is from: a person with several bots must tell them apart. */
export type NotifyContext = {
	/** The config's name, as the screen shows it. */
	readonly config: string;
	readonly host: string;
};

const from = (context: NotifyContext) => `${context.config} on ${context.host}`;

/** An alert, as raised by the engine or the monitoring half; `count` when repeats were folded. */
export function alertNotification(
	event: AlertEvent,
	context: NotifyContext,
	count?: number,
): Notification {
	const message = escapeControls(event.message);
	return {
		kind: 'alert',
		level: event.level,
		time: event.time,
		title: message,
		text: [
			message,
			...(event.agent === undefined ? [] : [`agent: ${event.agent}`]),
			from(context),
		].join('\n'),
		agent: event.agent,
		count,
		...context,
		event: {...event, message},
	};
}

/**
A halt, sent as one critical alert: what halted the cycle, why, and what did not run because of
it, so the person who reads it at 3 a.m. knows what the bots did not do.
*/
export function haltNotification(
	event: HaltEvent,
	notRun: readonly string[],
	context: NotifyContext,
): Notification {
	const reason = escapeControls(event.reason);
	const title = `cycle ${event.cycle} halted by ${event.agent}`;
	const message = `${title}: ${reason}`;
	return {
		kind: 'halt',
		level: 'critical',
		time: event.time,
		title,
		text: [
			`reason: ${reason}`,
			`not run this cycle: ${notRun.length > 0 ? notRun.join(', ') : 'nothing else was due'}`,
			`no agent after ${event.agent} trades until a cycle passes its check`,
			from(context),
		].join('\n'),
		agent: event.agent,
		cycle: event.cycle,
		...context,
		event: {
			type: 'alert',
			time: event.time,
			level: 'critical',
			message,
			agent: event.agent,
			cycle: event.cycle,
			reason,
			not_run: notRun,
		},
	};
}

/** A cycle's outcome, for targets that asked for `cycle_end`. */
export function cycleEndNotification(
	event: CycleEndEvent,
	context: NotifyContext,
): Notification {
	const counts = new Map<string, number>();
	for (const status of Object.values(event.results)) {
		counts.set(status, (counts.get(status) ?? 0) + 1);
	}

	const failed =
		(counts.get('failed') ?? 0) +
		(counts.get('timeout') ?? 0) +
		(counts.get('cancelled') ?? 0);
	const title = `cycle ${event.cycle} ${event.halted ? 'halted' : 'done'} in ${formatDuration(event.duration_s * 1000)}`;
	return {
		kind: 'cycle_end',
		level: event.halted ? 'critical' : failed > 0 ? 'warning' : 'info',
		time: event.time,
		title,
		text: [
			title,
			[...counts].map(([status, count]) => `${count} ${status}`).join(', '),
			from(context),
		].join('\n'),
		cycle: event.cycle,
		...context,
		event,
	};
}

/** The request a heartbeat target gets after every completed cycle. */
export function heartbeatNotification(
	event: CycleEndEvent,
	context: NotifyContext,
): Notification {
	const title = `cycle ${event.cycle} ${event.halted ? 'halted' : 'ok'} in ${formatDuration(event.duration_s * 1000)}`;
	return {
		kind: 'heartbeat',
		level: 'info',
		time: event.time,
		title,
		text: `${title}\n${from(context)}`,
		cycle: event.cycle,
		...context,
		event,
	};
}

export function engineStartNotification(
	time: string,
	pid: number,
	context: NotifyContext,
): Notification {
	const title = `engine started (pid ${pid})`;
	return {
		kind: 'engine_start',
		level: 'info',
		time,
		title,
		text: `${title}\n${from(context)}`,
		...context,
		event: {type: 'engine_start', time, pid},
	};
}

/** The engine stopped: why, and the error when it crashed (then it is critical). */
export function engineStopNotification(
	event: EngineStopEvent,
	context: NotifyContext,
): Notification {
	const why =
		event.reason === 'signal'
			? `stopped by ${event.signal ?? 'a signal'}`
			: event.reason === 'error'
				? `crashed: ${escapeControls(event.error ?? 'unknown error')}`
				: event.reason === 'once'
					? 'stopped after its one cycle (--once)'
					: 'stopped as asked';
	const title = `engine ${why}`;
	return {
		kind: 'engine_stop',
		level: event.reason === 'error' ? 'critical' : 'warning',
		time: event.time,
		title,
		text: `${title}\nno cycle runs until it is started again\n${from(context)}`,
		...context,
		event:
			event.error === undefined
				? event
				: {...event, error: escapeControls(event.error)},
	};
}

/** What a minute's fold or cap held back, said once the minute is over. */
export function summaryNotification(
	time: string,
	text: string,
	context: NotifyContext,
): Notification {
	return {
		kind: 'summary',
		level: 'info',
		time,
		title: text,
		text: `${text}\n${from(context)}`,
		...context,
		event: {type: 'alert', time, level: 'info', message: text},
	};
}

/** `moondev-tui notify test`: one message that says it is a test. */
export function testNotification(
	time: string,
	label: string,
	context: NotifyContext,
): Notification {
	const title = `test message to ${label}: notifications reach you`;
	return {
		kind: 'test',
		level: 'info',
		time,
		title,
		text: `${title}\n${from(context)}`,
		...context,
		event: {type: 'alert', time, level: 'info', message: title},
	};
}
