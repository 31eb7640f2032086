import {describe, expect, test} from 'vitest';
import type {ResolvedNotifyTarget} from '../../source/config/resolve-notify.js';
import type {AlertEvent, EngineEvent} from '../../source/contract/events.js';
import {createNotifier} from '../../source/notify/create-notifier.js';
import type {
	DeliveryOptions,
	TargetDelivery,
} from '../../source/notify/target-delivery.js';
import type {NotifyRequest} from '../../source/notify/types.js';

const time = '2026-11-25T03:00:00.000Z';

const target = (
	extra: Partial<ResolvedNotifyTarget> = {},
): ResolvedNotifyTarget => ({
	url: 'https://hooks.example.com/T000/B000/secret-token',
	format: 'json',
	minLevel: 'warning',
	events: ['alert'],
	chatId: undefined,
	timeoutSeconds: 5,
	maxPerMinute: 20,
	...extra,
});

const alert = (message: string, level: AlertEvent['level'] = 'warning') =>
	({type: 'alert', time, level, message}) satisfies AlertEvent;

/** A notifier over fake deliveries that record what they were given, and timers fired by hand. */
function setUp(targets: ResolvedNotifyTarget[]) {
	const sent = new Map<
		string,
		Array<{body: Record<string, unknown> | string; critical: boolean}>
	>();
	const downs = new Map<string, DeliveryOptions>();
	const timers: Array<() => void> = [];
	const emitted: EngineEvent[] = [];
	const notifier = createNotifier({
		targets,
		context: {config: 'bots.json', host: 'box'},
		emit(event) {
			emitted.push(event);
			notifier.listen(event);
		},
		notRunAt: () => ['trading', 'copybot'],
		pid: 42,
		setTimer(callback) {
			timers.push(callback);
		},
		createDelivery(options): TargetDelivery {
			const list: Array<{
				body: Record<string, unknown> | string;
				critical: boolean;
			}> = [];
			sent.set(options.label, list);
			downs.set(options.label, options);
			return {
				enqueue(request: NotifyRequest, enqueueOptions) {
					const type = Object.entries(request.headers).find(
						([name]) => name.toLowerCase() === 'content-type',
					)?.[1];
					list.push({
						body: type?.startsWith('application/json')
							? (JSON.parse(request.body) as Record<string, unknown>)
							: request.body,
						critical: enqueueOptions?.critical ?? false,
					});
				},
				stats: () => ({sent: list.length, failed: 0, dropped: 0, queued: 0}),
				async drain() {
					// Nothing in flight.
				},
				close() {
					// Nothing in flight.
				},
			};
		},
	});
	const fireTimers = () => {
		for (const timer of timers.splice(0)) {
			timer();
		}
	};

	return {notifier, sent, downs, fireTimers, emitted};
}

const label = (index: number, format = 'json') =>
	`#${index} ${format} hooks.example.com`;

describe('createNotifier', () => {
	test('alerts at or above a target’s minLevel, only to targets that asked for alerts', () => {
		const {notifier, sent} = setUp([
			target(),
			target({minLevel: 'critical', format: 'slack'}),
			target({events: ['engine_stop']}),
		]);
		notifier.listen(alert('an info', 'info'));
		notifier.listen(alert('a warning'));
		notifier.listen(alert('a critical one', 'critical'));
		expect(
			sent
				.get(label(1))
				?.map(entry => (entry.body as {message: string}).message),
		).toEqual(['a warning', 'a critical one']);
		expect(sent.get(label(2, 'slack'))).toHaveLength(1);
		expect(sent.get(label(3))).toEqual([]);
	});

	test('a halt is one critical alert, with what it stopped; the monitor’s alert for it is not sent again', () => {
		const {notifier, sent} = setUp([target({events: ['halt']}), target()]);
		notifier.listen({
			type: 'halt',
			time,
			cycle: 7,
			agent: 'risk',
			reason: 'VaR 4.6% > 4%',
		});
		// What the monitoring half raises in answer, delivered right after the halt.
		notifier.listen({
			type: 'alert',
			time,
			level: 'critical',
			message: 'cycle 7 halted by risk: VaR 4.6% > 4%',
			agent: 'risk',
		});
		for (const index of [1, 2]) {
			expect(sent.get(label(index))).toHaveLength(1);
			expect(sent.get(label(index))?.[0]).toMatchObject({
				critical: true,
				body: {
					type: 'alert',
					level: 'critical',
					message: 'cycle 7 halted by risk: VaR 4.6% > 4%',
					agent: 'risk',
					cycle: 7,
					reason: 'VaR 4.6% > 4%',
					not_run: ['trading', 'copybot'],
					config: 'bots.json',
					host: 'box',
				},
			});
		}

		// A later critical alert with other words is an alert like any other.
		notifier.listen(alert('cycle 7 halted by risk: again?', 'critical'));
		expect(sent.get(label(2))).toHaveLength(2);
	});

	test('100 identical alerts in a moment are one message, then one with the count when the minute ends', () => {
		const {notifier, sent, fireTimers} = setUp([target()]);
		for (let index = 0; index < 100; index++) {
			notifier.listen(alert('disk almost full'));
		}

		expect(sent.get(label(1))).toHaveLength(1);
		fireTimers();
		const messages = sent.get(label(1)) ?? [];
		expect(messages).toHaveLength(2);
		expect(messages[1]?.body).toMatchObject({
			message: 'disk almost full',
			count: 99,
		});
		expect(notifier.stats()).toEqual([
			{label: label(1), sent: 2, failed: 0, dropped: 0, folded: 99, held: 0},
		]);
	});

	test('the cap per minute holds back non-critical messages, never critical ones, and says how many it held', () => {
		const {notifier, sent, fireTimers} = setUp([target({maxPerMinute: 3})]);
		for (let index = 0; index < 5; index++) {
			notifier.listen(alert(`warning ${index}`));
		}

		notifier.listen(alert('critical after the cap', 'critical'));
		const messages = () =>
			(sent.get(label(1)) ?? []).map(
				entry => (entry.body as {message: string}).message,
			);
		expect(messages()).toEqual([
			'warning 0',
			'warning 1',
			'warning 2',
			'critical after the cap',
		]);
		fireTimers();
		expect(messages().at(-1)).toMatch(
			/^2 more notifications were held back in the last minute \(at most 3 a minute/v,
		);
		// A new minute: sent again.
		notifier.listen(alert('warning 5'));
		expect(messages().at(-1)).toBe('warning 5');
	});

	test('a heartbeat target hears from every cycle and nothing else; cycle_end goes to those that asked', () => {
		const {notifier, sent} = setUp([
			target({format: 'heartbeat'}),
			target({events: ['cycle_end']}),
		]);
		for (const cycle of [1, 2, 3]) {
			notifier.listen({
				type: 'cycle_end',
				time,
				cycle,
				duration_s: 1.5,
				halted: false,
				results: {risk: 'success'},
			});
		}

		notifier.listen(alert('not for a heartbeat', 'critical'));
		const beats = sent.get(label(1, 'heartbeat')) ?? [];
		expect(beats.map(entry => entry.body)).toEqual([
			expect.stringContaining('cycle 1 ok'),
			expect.stringContaining('cycle 2 ok'),
			expect.stringContaining('cycle 3 ok'),
		]);
		expect(beats.every(entry => entry.critical)).toBe(true);
		expect(sent.get(label(2))).toHaveLength(3);
	});

	test('engine start and stop go to those that asked, a crash as critical with its error', () => {
		const {notifier, sent} = setUp([
			target({events: ['engine_start', 'engine_stop']}),
		]);
		notifier.engineStarted();
		notifier.listen({
			type: 'engine_stop',
			time,
			reason: 'error',
			error: 'out of memory',
		});
		expect(sent.get(label(1))?.map(entry => entry.body)).toEqual([
			expect.objectContaining({type: 'engine_start', pid: 42}),
			expect.objectContaining({
				type: 'engine_stop',
				reason: 'error',
				error: 'out of memory',
			}),
		]);
	});

	test('a target that keeps failing is said once to the others, never to itself, and never by its URL', () => {
		const {sent, downs, emitted} = setUp([target(), target({format: 'slack'})]);
		// The delivery's reason names the target by its label (target-delivery.ts).
		downs
			.get(label(1))
			?.onDown?.(`${label(1)}: HTTP 500 (2 requests failed in a row)`);
		const said = emitted.find(event => event.type === 'alert');
		expect(said).toMatchObject({
			level: 'warning',
			message: `notify ${label(1)}: HTTP 500 (2 requests failed in a row): its messages are retried later; the other targets still get alerts`,
		});
		expect(JSON.stringify(emitted)).not.toContain('secret-token');
		expect(sent.get(label(1))).toEqual([]);
		expect(sent.get(label(2, 'slack'))).toHaveLength(1);
	});
});
