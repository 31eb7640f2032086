import {Text} from 'ink';
import {render} from 'ink-testing-library';
import {type ReactElement, useEffect} from 'react';
import {afterEach, describe, expect, onTestFinished, test, vi} from 'vitest';
import {useNow} from '../../source/ui/hooks/use-now.js';
import {useTerminalSize} from '../../source/ui/hooks/use-terminal-size.js';

/* The screen's two hooks: a clock that ticks only while asked to, and the terminal's size. */

const start = Date.parse('2026-11-02T10:00:00.000Z');

/** Polls (on real timers) until `check` holds; React runs effects a turn after it renders. */
async function until(check: () => boolean, what: string) {
	for (let tries = 0; !check(); tries++) {
		if (tries > 250) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 20);
		});
	}
}

function mount(element: ReactElement) {
	const rendered = render(element);
	onTestFinished(() => {
		rendered.unmount();
	});
	return rendered;
}

describe('useNow', () => {
	afterEach(() => {
		vi.useRealTimers();
	});

	/** Only the hook's interval and the clock are fake: React and Ink keep their own timers. */
	function fakeClock() {
		vi.useFakeTimers({
			toFake: ['setInterval', 'clearInterval', 'Date'],
			now: start,
		});
	}

	/** Shows the time since `start`; counts its commits (its effect runs after the hook's). */
	function clockOf() {
		let commits = 0;
		function Clock({
			isActive,
			intervalMs,
		}: {
			readonly isActive: boolean;
			readonly intervalMs?: number;
		}) {
			const now = useNow(isActive, intervalMs);
			useEffect(() => {
				commits++;
			});
			return <Text>{String(now - start)}</Text>;
		}

		return {Clock, commits: () => commits};
	}

	/*
	Ink renders a tick a turn later, so a frame is waited for; whether a timer runs is read from the
	fake timers themselves, and the next timer's delay from how far the clock moves to reach it.
	*/

	test('while active it re-renders every interval, with the time then', async () => {
		fakeClock();
		const {Clock, commits} = clockOf();
		const {lastFrame} = mount(<Clock isActive intervalMs={250} />);
		expect(lastFrame()).toBe('0');
		await until(() => commits() === 1, 'the first commit');
		expect(vi.getTimerCount()).toBe(1);
		vi.advanceTimersToNextTimer();
		expect(Date.now() - start).toBe(250);
		await until(() => lastFrame() === '250', 'the first tick');
		vi.advanceTimersToNextTimer();
		expect(Date.now() - start).toBe(500);
		await until(() => lastFrame() === '500', 'the second tick');
		expect(vi.getTimerCount()).toBe(1);
	});

	test('the interval is a second unless told', async () => {
		fakeClock();
		const {Clock, commits} = clockOf();
		const {lastFrame} = mount(<Clock isActive />);
		await until(() => commits() === 1, 'the first commit');
		vi.advanceTimersToNextTimer();
		expect(Date.now() - start).toBe(1000);
		await until(() => lastFrame() === '1000', 'the tick');
	});

	test('inactive, no timer runs; turned on, the time is fresh at once, then ticks', async () => {
		fakeClock();
		const {Clock, commits} = clockOf();
		const {lastFrame, rerender} = mount(<Clock isActive={false} />);
		await until(() => commits() === 1, 'the first commit');
		// Its effect has run: an idle clock has no timer at all.
		expect(vi.getTimerCount()).toBe(0);
		vi.setSystemTime(start + 5000);

		rerender(<Clock isActive />);
		// Not a tick late: the render that turns it on reads the clock.
		expect(lastFrame()).toBe('5000');
		await until(() => commits() === 2, 'the second commit');
		expect(vi.getTimerCount()).toBe(1);
		vi.advanceTimersToNextTimer();
		await until(() => lastFrame() === '6000', 'the tick');
	});

	test('turned off or unmounted, its timer is cleared', async () => {
		fakeClock();
		const {Clock, commits} = clockOf();
		const first = mount(<Clock isActive />);
		await until(() => commits() === 1, 'the first commit');
		expect(vi.getTimerCount()).toBe(1);
		first.rerender(<Clock isActive={false} />);
		await until(() => commits() === 2, 'the second commit');
		expect(vi.getTimerCount()).toBe(0);

		const second = mount(<Clock isActive />);
		await until(() => commits() === 3, 'the other clock to commit');
		expect(vi.getTimerCount()).toBe(1);
		second.unmount();
		await until(() => vi.getTimerCount() === 0, 'the timer to be cleared');
	});

	test('a new interval replaces the old timer', async () => {
		fakeClock();
		const {Clock, commits} = clockOf();
		const {lastFrame, rerender} = mount(<Clock isActive intervalMs={1000} />);
		await until(() => commits() === 1, 'the first commit');
		rerender(<Clock isActive intervalMs={100} />);
		await until(() => commits() === 2, 'the second commit');
		expect(vi.getTimerCount()).toBe(1);
		vi.advanceTimersToNextTimer();
		expect(Date.now() - start).toBe(100);
		await until(() => lastFrame() === '100', 'the faster tick');
	});
});

describe('useTerminalSize', () => {
	function Size() {
		const {columns, rows} = useTerminalSize();
		return <Text>{`${columns}x${rows}`}</Text>;
	}

	/** Ink-testing-library's stdout, its size settable as a terminal's changes. */
	function resizable(stdout: unknown) {
		const stream = stdout as NodeJS.EventEmitter;
		return {
			stream,
			setSize(columns: number | undefined, rows: number | undefined) {
				Object.defineProperty(stream, 'columns', {
					value: columns,
					configurable: true,
				});
				Object.defineProperty(stream, 'rows', {
					value: rows,
					configurable: true,
				});
			},
		};
	}

	/** Resizes, then says so until the hook (subscribed in an effect, a turn later) shows `frame`. */
	async function resizeTo(
		rendered: ReturnType<typeof mount>,
		size: [number | undefined, number | undefined],
		frame: string,
	) {
		const {stream, setSize} = resizable(rendered.stdout);
		setSize(...size);
		await until(() => {
			stream.emit('resize');
			return rendered.lastFrame() === frame;
		}, `the frame ${frame}`);
	}

	test('a stream with columns but no rows: its columns, and 24 rows less one', () => {
		// Ink-testing-library's stdout is 100 columns wide and has no rows.
		expect(mount(<Size />).lastFrame()).toBe('100x23');
	});

	test('kept current on resize, one row short of the terminal', async () => {
		const rendered = mount(<Size />);
		await resizeTo(rendered, [60, 40], '60x39');
		await resizeTo(rendered, [132, 50], '132x49');
	});

	test('never less than one row; no size at all is 80×24', async () => {
		const rendered = mount(<Size />);
		await resizeTo(rendered, [30, 1], '30x1');
		await resizeTo(rendered, [0, 0], '80x23');
		await resizeTo(rendered, [undefined, undefined], '80x23');
	});

	test('unmounted, it stops listening', async () => {
		const rendered = mount(<Size />);
		const {stream} = resizable(rendered.stdout);
		await resizeTo(rendered, [70, 30], '70x29');
		expect(stream.listenerCount('resize')).toBeGreaterThan(0);
		rendered.unmount();
		expect(stream.listenerCount('resize')).toBe(0);
	});
});
