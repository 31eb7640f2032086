import {describe, expect, test} from 'vitest';
import {createLineSplitter} from '../../source/runner/line-splitter.js';

/** A splitter and every batch of lines it has handed over. */
function setup(maxLineLength?: number) {
	const batches: string[][] = [];
	const splitter = createLineSplitter(lines => {
		batches.push(lines);
	}, maxLineLength);
	// Called by name, not as splitter.push(), so that the lint does not merge two pushes into one.
	const {push, end} = splitter;
	return {push, end, batches, lines: () => batches.flat()};
}

describe('createLineSplitter', () => {
	test('a chunk of whole lines is handed over as one batch', () => {
		const {push, batches} = setup();
		push('one\ntwo\nthree\n');
		expect(batches).toEqual([['one', 'two', 'three']]);
	});

	test('a line split across chunks comes out whole, once its newline arrives', () => {
		const {push, batches} = setup();
		push('hel');
		push('lo wo');
		expect(batches).toEqual([]);
		push('rld\nnext');
		expect(batches).toEqual([['hello world']]);
		push('\n');
		expect(batches).toEqual([['hello world'], ['next']]);
	});

	test(
		String.raw`CRLF line ends lose their \r, also when \r and \n arrive in different chunks`,
		() => {
			const {push, lines} = setup();
			push('a\r\nb\r');
			push('\nc\n');
			expect(lines()).toEqual(['a', 'b', 'c']);
		},
	);

	test(
		String.raw`only the \r right before the newline goes: others are kept`,
		() => {
			const {push, lines} = setup();
			push('progress 10%\rprogress 20%\r\n\r\r\n');
			expect(lines()).toEqual(['progress 10%\rprogress 20%', '\r']);
		},
	);

	test('empty lines are kept', () => {
		const {push, lines} = setup();
		push('\n\na\n\n');
		expect(lines()).toEqual(['', '', 'a', '']);
	});

	test('end() hands over the last line when it had no newline', () => {
		const {push, end, batches} = setup();
		push('done\nno newline');
		end();
		expect(batches).toEqual([['done'], ['no newline']]);
	});

	test('end() after a final newline, or on nothing, hands over nothing more', () => {
		const {push, end, batches} = setup();
		end();
		push('a\n');
		end();
		end();
		expect(batches).toEqual([['a']]);
	});

	test('an empty chunk changes nothing', () => {
		const {push, batches} = setup();
		push('');
		push('a');
		push('');
		push('\n');
		expect(batches).toEqual([['a']]);
	});

	test('a line over the cap with no newline is cut into pieces of the cap', () => {
		const {push, end, lines} = setup(10);
		push('x'.repeat(25));
		expect(lines()).toEqual(['x'.repeat(10), 'x'.repeat(10)]);
		end();
		expect(lines()).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
	});

	test('an agent that never prints a newline keeps memory bounded: nothing held grows past the cap', () => {
		const cap = 1000;
		const {push, end, lines} = setup(cap);
		let pushed = 0;
		for (let index = 0; index < 2000; index++) {
			const chunk = String.fromCodePoint(97 + (index % 26)).repeat(333);
			push(chunk);
			pushed += chunk.length;
			// All but less than one cap's worth has been handed over already.
			const handed = lines().reduce((sum, line) => sum + line.length, 0);
			expect(pushed - handed).toBeLessThanOrEqual(cap);
		}

		end();
		const all = lines();
		expect(all.every(line => line.length <= cap)).toBe(true);
		expect(all.join('')).toHaveLength(pushed);
	});

	test('the default cap is 1 MiB', () => {
		const {push, end, lines} = setup();
		push('y'.repeat(1024 * 1024));
		expect(lines()).toEqual([]);
		push('y');
		expect(lines().map(line => line.length)).toEqual([1024 * 1024]);
		end();
		expect(lines().map(line => line.length)).toEqual([1024 * 1024, 1]);
	});

	test('the pieces of a cut line are followed by its rest when the newline comes', () => {
		const {push, lines} = setup(4);
		push('abcdef');
		push('g\nij\n');
		expect(lines()).toEqual(['abcd', 'efg', 'ij']);
	});

	// Found by this test and fixed: the cap once applied only to text still waiting for its newline.
	test('a line over the cap is cut even when its newline arrives in the same chunk', () => {
		const {push, lines} = setup(10);
		push(`${'z'.repeat(25)}\n`);
		expect(lines()).toEqual(['z'.repeat(10), 'z'.repeat(10), 'z'.repeat(5)]);
	});
});
