import {describe, expect, test} from 'vitest';
import {RingBuffer} from '../../source/util/ring-buffer.js';

function filled(capacity: number, count: number): RingBuffer<number> {
	const buffer = new RingBuffer<number>(capacity);
	for (let index = 1; index <= count; index++) {
		buffer.push(index);
	}

	return buffer;
}

describe('RingBuffer', () => {
	test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
		'a capacity of %s is refused',
		capacity => {
			expect(() => new RingBuffer(capacity)).toThrow(
				new RangeError(
					`capacity: expected a whole number >= 1, got ${capacity}`,
				),
			);
		},
	);

	test('starts empty', () => {
		const buffer = new RingBuffer<string>(3);
		expect(buffer.capacity).toBe(3);
		expect(buffer.size).toBe(0);
		expect(buffer.toArray()).toEqual([]);
		expect(buffer.drain()).toEqual({items: [], dropped: 0});
	});

	test('under capacity it keeps everything, oldest first', () => {
		const buffer = filled(5, 3);
		expect(buffer.size).toBe(3);
		expect(buffer.toArray()).toEqual([1, 2, 3]);
	});

	test('past capacity it keeps the last `capacity` items, oldest first, in the same size', () => {
		const buffer = filled(3, 10);
		expect(buffer.size).toBe(3);
		expect(buffer.toArray()).toEqual([8, 9, 10]);
		buffer.push(11);
		expect(buffer.toArray()).toEqual([9, 10, 11]);
	});

	test('a capacity of 1 keeps the newest', () => {
		const buffer = filled(1, 4);
		expect(buffer.toArray()).toEqual([4]);
	});

	test('toArray does not take the items out', () => {
		const buffer = filled(3, 2);
		expect(buffer.toArray()).toEqual([1, 2]);
		expect(buffer.toArray()).toEqual([1, 2]);
		expect(buffer.size).toBe(2);
	});

	test('drain takes everything out and says how many were pushed out before', () => {
		const buffer = filled(3, 7);
		expect(buffer.drain()).toEqual({items: [5, 6, 7], dropped: 4});
		expect(buffer.size).toBe(0);
		expect(buffer.toArray()).toEqual([]);
		expect(buffer.drain()).toEqual({items: [], dropped: 0});
	});

	test('after a drain it fills and overwrites again from scratch', () => {
		const buffer = filled(2, 5);
		buffer.drain();
		buffer.push(100);
		expect(buffer.drain()).toEqual({items: [100], dropped: 0});
		for (const item of [1, 2, 3]) {
			buffer.push(item);
		}

		expect(buffer.drain()).toEqual({items: [2, 3], dropped: 1});
	});

	test('undefined and falsy items are kept like any other', () => {
		const buffer = new RingBuffer<number | undefined | string>(3);
		for (const item of [undefined, 0, '']) {
			buffer.push(item);
		}

		expect(buffer.toArray()).toEqual([undefined, 0, '']);
	});

	test('a million pushes keep only the capacity', () => {
		const buffer = filled(100, 1_000_000);
		const {items, dropped} = buffer.drain();
		expect(items).toHaveLength(100);
		expect(items[0]).toBe(999_901);
		expect(items.at(-1)).toBe(1_000_000);
		expect(dropped).toBe(999_900);
	});
});
