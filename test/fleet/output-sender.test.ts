import {describe, expect, test} from 'vitest';
import type {Redis} from 'ioredis';
import {
	type OutputItem,
	outputBacklogBytes,
	outputBatchBytes,
	outputStreamEntries,
} from '../../source/fleet/fleet-keys.js';
import {createOutputSender} from '../../source/fleet/output-sender.js';

/*
A worker's output to its attempt's stream: in order, in bounded batches, and bounded in memory
when Redis takes it more slowly than the agent prints (lines dropped and counted, never a
protocol message, never the end).
*/

/** A Redis whose XADDs are recorded, each answered when `release` is called (or at once). */
function fakeRedis({slow = false} = {}) {
	const batches: OutputItem[][] = [];
	const pending: Array<() => void> = [];
	/** The stream's unread entries, as XLEN answers (the engine trims what it read). */
	const stream = {length: 0};
	const redis = {
		async xlen() {
			return stream.length;
		},
		multi() {
			let data = '';
			const chain = {
				xadd(_key: string, _id: string, _field: string, value: string) {
					data = value;
					return chain;
				},
				expire: () => chain,
				xlen: () => chain,
				async exec() {
					batches.push(JSON.parse(data) as OutputItem[]);
					if (slow) {
						await new Promise<void>(resolve => {
							pending.push(resolve);
						});
					}

					return [
						[null, 'id'],
						[null, 1],
						[null, stream.length],
					];
				},
			};
			return chain;
		},
	};
	return {
		redis: redis as unknown as Redis,
		batches,
		stream,
		release() {
			for (const resolve of pending.splice(0)) {
				resolve();
			}
		},
	};
}

const line = 'x'.repeat(1000);

describe('the output sender', () => {
	test('items go in order, in batches of at most the batch size, the end last', async () => {
		const fake = fakeRedis();
		const sender = createOutputSender(fake.redis, 'out');
		for (let index = 0; index < 300; index++) {
			sender.push({lines: [`${index} ${line}`], stream: 'stdout'});
			if (index % 100 === 0) {
				sender.push({
					message: {type: 'progress', percent: index / 3, message: null},
				});
			}
		}

		await sender.end({
			end: {
				status: 'success',
				durationMs: 1,
				malformedLines: 0,
				passed: false,
				untrustedLines: [],
			},
		});
		const items = fake.batches.flat();
		const lines = items.flatMap(item => ('lines' in item ? item.lines : []));
		expect(lines.map(text => Number(text.split(' ')[0]))).toEqual(
			Array.from({length: 300}, (_, index) => index),
		);
		expect(items.filter(item => 'message' in item)).toHaveLength(3);
		expect(items.at(-1)).toHaveProperty('end');
		for (const batch of fake.batches) {
			expect(JSON.stringify(batch).length).toBeLessThan(outputBatchBytes * 1.1);
		}
	});

	test('a slow Redis: lines past the backlog are dropped and counted; messages and the end never', async () => {
		const fake = fakeRedis({slow: true});
		const sender = createOutputSender(fake.redis, 'out');
		const printed = Math.ceil((outputBacklogBytes * 2) / line.length);
		for (let index = 0; index < printed; index++) {
			sender.push({lines: [line], stream: 'stdout'});
		}

		sender.push({message: {type: 'halt', reason: 'limit'}});
		// Redis catches up: the count goes out with what follows.
		fake.release();
		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
		sender.push({lines: ['after'], stream: 'stdout'});
		const ended = sender.end({
			end: {
				status: 'success',
				durationMs: 1,
				malformedLines: 0,
				passed: false,
				untrustedLines: [],
			},
		});
		fake.release();
		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
		fake.release();
		await ended;
		const items = fake.batches.flat();
		const sent = items.flatMap(item => ('lines' in item ? item.lines : []));
		const kept = sent.filter(text => text === line).length;
		expect(kept).toBeLessThan(printed);
		expect(kept * line.length).toBeLessThanOrEqual(outputBacklogBytes * 1.1);
		const note = sent.find(text => text.includes('dropped'));
		expect(note).toBe(
			`[moondev worker] ${printed - kept} line(s) dropped: Redis took output more slowly than the agent printed it`,
		);
		expect(items).toContainEqual({message: {type: 'halt', reason: 'limit'}});
		expect(sent.at(-1)).toBe('after');
		expect(items.at(-1)).toHaveProperty('end');
	});

	test('an engine that reads slowly: nothing more goes to Redis while its unread entries are many; lines wait, then are dropped and counted, messages and the end never', async () => {
		const fake = fakeRedis();
		fake.stream.length = outputStreamEntries;
		const sender = createOutputSender(fake.redis, 'out');
		const printed = Math.ceil((outputBacklogBytes * 2) / line.length);
		for (let index = 0; index < printed; index++) {
			sender.push({lines: [line], stream: 'stdout'});
		}

		sender.push({message: {type: 'halt', reason: 'limit'}});
		await new Promise(resolve => {
			setTimeout(resolve, 300);
		});
		// Held on the worker: Redis got at most a stream's worth while the engine was behind.
		const held = fake.batches.length;
		expect(held).toBeLessThanOrEqual(outputStreamEntries);
		await new Promise(resolve => {
			setTimeout(resolve, 300);
		});
		expect(fake.batches).toHaveLength(held);
		// The engine caught up (it trimmed what it read): what waited goes, the count with what follows.
		fake.stream.length = 1;
		await new Promise(resolve => {
			setTimeout(resolve, 300);
		});
		sender.push({lines: ['after'], stream: 'stdout'});
		await sender.end({
			end: {
				status: 'success',
				durationMs: 1,
				malformedLines: 0,
				passed: false,
				untrustedLines: [],
			},
		});
		const items = fake.batches.flat();
		const sent = items.flatMap(item => ('lines' in item ? item.lines : []));
		const kept = sent.filter(text => text === line).length;
		expect(kept * line.length).toBeLessThanOrEqual(outputBacklogBytes * 1.1);
		expect(sent.find(text => text.includes('dropped'))).toBe(
			`[moondev worker] ${printed - kept} line(s) dropped: Redis took output more slowly than the agent printed it`,
		);
		expect(items).toContainEqual({message: {type: 'halt', reason: 'limit'}});
		expect(sent.at(-1)).toBe('after');
		expect(items.at(-1)).toHaveProperty('end');
	});
});
