import {afterEach, beforeEach, describe, expect, test, vi} from 'vitest';
import {
	createMetricNames,
	maxMetricNames,
} from '../../source/engine/metric-names.js';
import {createProtocolRelay} from '../../source/engine/protocol-relay.js';
import type {ProtocolMessage} from '../../source/runner/parse-protocol-line.js';
import {createRecorder} from '../helpers/index.js';

const start = Date.parse('2026-11-02T10:00:00Z');

const progress = (
	percent: number | null,
	message: string | null = null,
): ProtocolMessage => ({type: 'progress', percent, message});
const metric = (name: string, value: number): ProtocolMessage => ({
	type: 'metric',
	name,
	value,
});
const alert = (message: string): ProtocolMessage => ({
	type: 'alert',
	level: 'critical',
	message,
});

/** A relay for agent "risk" in cycle 3, with the events it emits and a clock of its own. */
function setup(
	options: {
		maxAlerts?: number;
		metricNames?: ReturnType<typeof createMetricNames>;
	} = {},
) {
	const recorder = createRecorder();
	let now = start;
	const relay = createProtocolRelay({
		emit: recorder.emit,
		now: () => now,
		cycle: 3,
		agent: 'risk',
		intervalMs: 100,
		...options,
	});
	return {
		...recorder,
		relay,
		setNow(value: number) {
			now = value;
		},
	};
}

// The relay paces itself with real timers; fake ones make that instant and exact.
beforeEach(() => {
	vi.useFakeTimers({now: start});
});
afterEach(() => {
	vi.useRealTimers();
});

describe('progress and metrics', () => {
	test('the first progress goes out at once, stamped with the injected clock', () => {
		const {relay, events, setNow} = setup();
		setNow(Date.parse('2030-01-01T00:00:00Z'));
		relay.onMessage(progress(10, 'loading'));
		expect(events).toEqual([
			{
				type: 'agent_progress',
				time: '2030-01-01T00:00:00.000Z',
				cycle: 3,
				agent: 'risk',
				percent: 10,
				message: 'loading',
			},
		]);
	});

	test('progress within the interval is coalesced: the latest wins, when the interval is up', () => {
		const {relay, ofType} = setup();
		relay.onMessage(progress(1));
		for (let percent = 2; percent <= 50; percent++) {
			relay.onMessage(progress(percent));
		}

		expect(ofType('agent_progress').map(event => event.percent)).toEqual([1]);
		vi.advanceTimersByTime(99);
		expect(ofType('agent_progress')).toHaveLength(1);
		vi.advanceTimersByTime(1);
		expect(ofType('agent_progress').map(event => event.percent)).toEqual([
			1, 50,
		]);
		// Nothing new: nothing more goes out.
		vi.advanceTimersByTime(1000);
		expect(ofType('agent_progress')).toHaveLength(2);
	});

	test('a message-only progress line keeps the percent it does not mention', () => {
		const {relay, ofType} = setup();
		relay.onMessage(progress(null, 'first'));
		relay.onMessage(progress(40));
		relay.onMessage(progress(null, 'fetching prices'));
		relay.flush();
		expect(
			ofType('agent_progress').map(({percent, message}) => ({
				percent,
				message,
			})),
		).toEqual([
			{percent: null, message: 'first'},
			{percent: 40, message: 'fetching prices'},
		]);
	});

	test('metrics are coalesced per name: the latest value of each wins', () => {
		const {relay, ofType} = setup();
		relay.onMessage(metric('var', 1));
		relay.onMessage(metric('var', 2));
		relay.onMessage(metric('pnl', 10));
		relay.onMessage(metric('var', 3));
		relay.onMessage(metric('pnl', 20));
		expect(
			ofType('agent_metric').map(({name, value}) => [name, value]),
		).toEqual([['var', 1]]);
		vi.advanceTimersByTime(100);
		expect(
			ofType('agent_metric').map(({name, value}) => [name, value]),
		).toEqual([
			['var', 1],
			['var', 3],
			['pnl', 20],
		]);
		expect(ofType('agent_metric')[1]).toMatchObject({cycle: 3, agent: 'risk'});
	});

	test('flush sends what is held back at once, and nothing twice', () => {
		const {relay, events} = setup();
		relay.onMessage(progress(1));
		relay.onMessage(progress(99, 'done'));
		relay.onMessage(metric('var', 7));
		expect(events).toHaveLength(1);
		relay.flush();
		expect(events.map(event => event.type)).toEqual([
			'agent_progress',
			'agent_progress',
			'agent_metric',
		]);
		// The timer it had set is gone with it.
		vi.advanceTimersByTime(1000);
		relay.flush();
		expect(events).toHaveLength(3);
	});

	test('a flood of lines never emits more than one batch an interval', () => {
		const {relay, events} = setup();
		for (let index = 0; index < 10_000; index++) {
			relay.onMessage(progress(index % 100));
			relay.onMessage(metric('tick', index));
			vi.advanceTimersByTime(index % 10 === 0 ? 1 : 0);
		}

		// 1000 ms of flood at 100 ms an interval: about 10 batches of a progress and a metric.
		expect(events.length).toBeLessThanOrEqual(2 * 12);
		relay.flush();
		expect(events.at(-1)).toMatchObject({type: 'agent_metric', value: 9999});
	});
});

describe('alerts', () => {
	test('alerts go out at once, up to the cap an attempt, then one warning at flush says how many were held back', () => {
		const {relay, ofType} = setup({maxAlerts: 3});
		for (let index = 1; index <= 7; index++) {
			relay.onMessage(alert(`alert ${index}`));
		}

		expect(ofType('alert').map(event => event.message)).toEqual([
			'alert 1',
			'alert 2',
			'alert 3',
		]);
		expect(ofType('alert')[0]).toMatchObject({
			level: 'critical',
			agent: 'risk',
		});
		relay.flush();
		expect(ofType('alert').slice(3)).toEqual([
			{
				type: 'alert',
				time: new Date(start).toISOString(),
				level: 'warning',
				message: 'risk sent 4 more alerts this attempt; held back',
				agent: 'risk',
			},
		]);
	});

	test('the cap is per attempt: flush starts the count again', () => {
		const {relay, ofType} = setup({maxAlerts: 1});
		relay.onMessage(alert('a'));
		relay.onMessage(alert('b'));
		relay.flush();
		relay.onMessage(alert('c'));
		relay.flush();
		expect(ofType('alert').map(event => event.message)).toEqual([
			'a',
			'risk sent 1 more alerts this attempt; held back',
			'c',
		]);
	});

	test('at or under the cap no warning is added; the default cap is 10', () => {
		const {relay, ofType} = setup();
		for (let index = 0; index < 10; index++) {
			relay.onMessage(alert(`alert ${index}`));
		}

		relay.flush();
		expect(ofType('alert')).toHaveLength(10);
		expect(ofType('alert').every(event => event.level === 'critical')).toBe(
			true,
		);
	});
});

describe('metric names past the cap', () => {
	function fillNames(names: ReturnType<typeof createMetricNames>) {
		for (let index = 0; index < maxMetricNames; index++) {
			expect(names.admit('risk', `m${index}`)).toBe(true);
		}
	}

	test('a new name past the cap is refused, a known one still passes, and the refusal is said at flush', () => {
		const metricNames = createMetricNames();
		fillNames(metricNames);
		const {relay, ofType} = setup({metricNames});
		relay.onMessage(metric('new-1', 1));
		relay.onMessage(metric('new-2', 2));
		relay.onMessage(metric('new-1', 3));
		relay.onMessage(metric('m5', 5));
		relay.flush();
		expect(
			ofType('agent_metric').map(({name, value}) => [name, value]),
		).toEqual([['m5', 5]]);
		expect(ofType('alert')).toEqual([
			expect.objectContaining({
				level: 'warning',
				agent: 'risk',
				message: `risk reports more than ${maxMetricNames} metric names: 3 metric lines with new names ignored (said once)`,
			}),
		]);
	});

	test('the refusal is said once per run, across attempts sharing the names', () => {
		const metricNames = createMetricNames();
		fillNames(metricNames);
		const first = setup({metricNames});
		first.relay.onMessage(metric('new', 1));
		first.relay.flush();
		first.relay.onMessage(metric('newer', 1));
		first.relay.flush();
		const second = setup({metricNames});
		second.relay.onMessage(metric('newest', 1));
		second.relay.flush();
		expect(first.ofType('alert')).toHaveLength(1);
		expect(second.ofType('alert')).toHaveLength(0);
		expect([
			...first.ofType('agent_metric'),
			...second.ofType('agent_metric'),
		]).toEqual([]);
	});

	test('without a refusal nothing is said', () => {
		const metricNames = createMetricNames();
		const {relay, ofType} = setup({metricNames});
		relay.onMessage(metric('var', 1));
		relay.flush();
		expect(ofType('alert')).toEqual([]);
		expect(metricNames.firstRefusal('risk')).toBe(true);
	});
});

test('halt and pass lines emit nothing: the verdict is read from the result', () => {
	const {relay, events} = setup();
	relay.onMessage({type: 'halt', reason: 'VaR breached'});
	relay.onMessage({type: 'pass', message: null});
	relay.flush();
	expect(events).toEqual([]);
});
