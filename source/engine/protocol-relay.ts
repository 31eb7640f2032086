import type {ProtocolMessage} from '../runner/parse-protocol-line.js';
import type {Emit} from '../contract/events.js';
import {maxMetricNames, type MetricNames} from './metric-names.js';

export type ProtocolRelay = {
	readonly onMessage: (message: ProtocolMessage) => void;
	/** Emits what is held back; call when the attempt ends. */
	readonly flush: () => void;
};

/**
Turns an attempt's protocol lines into events without letting a chatty agent flood the stream:
progress and metrics are passed on at most every `intervalMs` (the latest value wins, the first at
once), and alerts up to `maxAlerts` an attempt (then one warning says how many were held back).
*/
export function createProtocolRelay(options: {
	readonly emit: Emit;
	readonly now: () => number;
	readonly cycle: number;
	readonly agent: string;
	readonly intervalMs?: number;
	readonly maxAlerts?: number;
	/** The run's metric names, capped per agent. */
	readonly metricNames?: MetricNames;
}): ProtocolRelay {
	const {emit, cycle, agent} = options;
	const intervalMs = options.intervalMs ?? 100;
	const maxAlerts = options.maxAlerts ?? 10;
	const time = () => new Date(options.now()).toISOString();
	let progress: Extract<ProtocolMessage, {type: 'progress'}> | undefined;
	const metrics = new Map<string, number>();
	let alerts = 0;
	let refusedMetrics = 0;
	let timer: NodeJS.Timeout | undefined;
	let lastSent = Number.NEGATIVE_INFINITY;

	const send = () => {
		if (timer) {
			clearTimeout(timer);
			timer = undefined;
		}

		lastSent = Date.now();
		if (progress) {
			emit({
				type: 'agent_progress',
				time: time(),
				cycle,
				agent,
				percent: progress.percent,
				message: progress.message,
			});
			progress = undefined;
		}

		for (const [name, value] of metrics) {
			emit({type: 'agent_metric', time: time(), cycle, agent, name, value});
		}

		metrics.clear();
	};

	const schedule = () => {
		const wait = lastSent + intervalMs - Date.now();
		if (wait <= 0) {
			send();
		} else {
			timer ??= setTimeout(send, wait);
		}
	};

	return {
		onMessage(message) {
			switch (message.type) {
				case 'progress': {
					// A message-only line keeps the percent it does not mention.
					progress = {
						type: 'progress',
						percent: message.percent ?? progress?.percent ?? null,
						message: message.message ?? progress?.message ?? null,
					};
					schedule();
					break;
				}

				case 'metric': {
					if (options.metricNames?.admit(agent, message.name) === false) {
						refusedMetrics++;
						break;
					}

					metrics.set(message.name, message.value);
					schedule();
					break;
				}

				case 'alert': {
					alerts++;
					if (alerts <= maxAlerts) {
						emit({
							type: 'alert',
							time: time(),
							level: message.level,
							message: message.message,
							agent,
						});
					}

					break;
				}

				case 'halt':
				case 'pass': {
					// Verdicts are read from the attempt's result.
					break;
				}
			}
		},
		flush() {
			send();
			if (refusedMetrics > 0 && options.metricNames?.firstRefusal(agent)) {
				emit({
					type: 'alert',
					time: time(),
					level: 'warning',
					message: `${agent} reports more than ${maxMetricNames} metric names: ${refusedMetrics} metric lines with new names ignored (said once)`,
					agent,
				});
			}

			refusedMetrics = 0;
			if (alerts > maxAlerts) {
				emit({
					type: 'alert',
					time: time(),
					level: 'warning',
					message: `${agent} sent ${alerts - maxAlerts} more alerts this attempt; held back`,
					agent,
				});
			}

			alerts = 0;
		},
	};
}
