import {existsSync, statSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import {execa} from 'execa';
import {describe, expect, test} from 'vitest';
import {
	connectToEngine,
	ControlError,
} from '../../source/control/control-client.js';
import {
	type ControlServerOptions,
	startControlServer,
} from '../../source/control/control-server.js';
import type {EngineEvent} from '../../source/contract/events.js';
import {createEventBus} from '../../source/engine/event-bus.js';
import {reduce} from '../../source/store/reduce.js';
import {createInitialState} from '../../source/store/state.js';
import {buildConfig, temporaryDirectory, waitFor} from '../helpers/index.js';

const hello = {
	version: '1.2.3',
	pid: 4242,
	config: 'x.json',
	metricsFolder: '/m',
};

const alert = (message: string): EngineEvent => ({
	type: 'alert',
	time: '2026-11-25T10:00:00.000Z',
	level: 'info',
	message,
});

/** A server over a real bus and a state reduced from it, as a session wires one. */
async function serve(options: Partial<ControlServerOptions> = {}) {
	const dir = temporaryDirectory();
	const socketPath = path.join(dir, 'moondev.sock');
	const bus = createEventBus();
	let view = createInitialState(
		buildConfig({agents: {risk: {command: ['true'], enabled: true}}}),
	);
	bus.listen(event => {
		view = reduce(view, event);
	});
	const attachedChanges: boolean[] = [];
	const server = await startControlServer({
		socketPath,
		hello,
		listen: bus.listen,
		snapshot: () => view,
		handle: request => ({ok: true, message: `did ${request.op}`}),
		onAttachedChange(attached) {
			attachedChanges.push(attached);
		},
		...options,
	});
	return {server, socketPath, bus, attachedChanges, dir};
}

describe('the control socket', () => {
	test('is a socket only its user may open; the client reads the hello and gets replies in order', async () => {
		const {server, socketPath} = await serve();
		try {
			expect((statSync(socketPath).mode % 0o1000).toString(8)).toBe('600');
			const client = await connectToEngine(socketPath);
			expect(client.hello).toEqual({kind: 'hello', protocol: 1, ...hello});
			const replies = await Promise.all([
				client.request('pause'),
				client.request('force'),
			]);
			expect(replies.map(reply => reply.ok && reply.message)).toEqual([
				'did pause',
				'did force',
			]);
			client.close();
		} finally {
			await server.close();
		}

		expect(existsSync(socketPath)).toBe(false);
	});

	test('attach: a snapshot, then every event after it and none before it, to each client', async () => {
		const {server, socketPath, bus, attachedChanges} = await serve();
		try {
			bus.emit(alert('before'));
			const first = await connectToEngine(socketPath);
			const second = await connectToEngine(socketPath);
			const reply = await first.request('attach');
			expect(reply.ok && reply.snapshot?.alerts.map(a => a.message)).toEqual([
				'before',
			]);
			await second.request('attach');
			const seen: string[][] = [[], []];
			for (const [index, client] of [first, second].entries()) {
				client.onEvent(event => {
					if (event.type === 'alert') {
						seen[index]!.push(event.message);
					}
				});
			}

			bus.emit(alert('one'));
			bus.emit(alert('two'));
			await waitFor(() => seen[1]!.length === 2, 5000, 'the events');
			expect(seen).toEqual([
				['one', 'two'],
				['one', 'two'],
			]);
			expect(server.attachedCount()).toBe(2);
			first.close();
			second.close();
			await waitFor(() => server.attachedCount() === 0, 5000, 'the detach');
			// The engine is told when the first client attaches and when the last one leaves.
			expect(attachedChanges).toEqual([true, false]);
		} finally {
			await server.close();
		}
	});

	test('a client that stops reading is dropped, and the engine never waits for it', async () => {
		const {server, socketPath, bus} = await serve({
			maxUnreadBytes: 256 * 1024,
			stalledMs: 100,
		});
		try {
			const reader = await connectToEngine(socketPath);
			await reader.request('attach');
			let received = 0;
			reader.onEvent(() => {
				received++;
			});
			// A raw client that attaches and never reads again.
			const stalled = net.connect(socketPath);
			await new Promise(resolve => {
				stalled.once('data', resolve);
			});
			stalled.write('{"id":1,"protocol":1,"op":"attach"}\n');
			await waitFor(() => server.attachedCount() === 2, 5000, 'both attached');
			stalled.pause();
			const big = 'x'.repeat(10_000);
			// 20 MB in bursts, the reader reading between them: far past what the stalled one may leave.
			for (let burst = 0; burst < 40; burst++) {
				for (let index = 0; index < 50; index++) {
					bus.emit(alert(big));
				}

				await new Promise(resolve => {
					setTimeout(resolve, 10);
				});
			}

			expect(server.attachedCount()).toBe(1);
			await waitFor(() => received === 2000, 10_000, 'the reader to get all');
			stalled.destroy();
			reader.close();
		} finally {
			await server.close();
		}
	});

	test('a burst bigger than the limit drops nobody who reads; past the hard limit, everyone', async () => {
		const {server, socketPath, bus} = await serve({
			maxUnreadBytes: 64 * 1024,
			hardMaxUnreadBytes: 4 * 1024 * 1024,
		});
		try {
			const reader = await connectToEngine(socketPath);
			await reader.request('attach');
			let received = 0;
			reader.onEvent(() => {
				received++;
			});
			const big = 'x'.repeat(10_000);
			// 1 MB in one tick: 16 times the soft limit, and the reader could not read meanwhile.
			for (let index = 0; index < 100; index++) {
				bus.emit(alert(big));
			}

			await waitFor(() => received === 100, 5000, 'the burst to arrive');
			expect(server.attachedCount()).toBe(1);
			const closed = new Promise(resolve => {
				reader.onClose(() => {
					resolve(undefined);
				});
			});
			for (let index = 0; index < 500; index++) {
				bus.emit(alert(big));
			}

			await closed;
			await waitFor(() => server.attachedCount() === 0, 5000, 'the drop');
		} finally {
			await server.close();
		}
	});

	test('requests it cannot read get an error reply; a line past the limit drops the client', async () => {
		const {server, socketPath} = await serve();
		try {
			const raw = net.connect(socketPath);
			raw.setEncoding('utf8');
			let text = '';
			raw.on('data', (chunk: string) => {
				text += chunk;
			});
			raw.write('not json\n{"id":2,"protocol":7,"op":"status"}\n');
			await waitFor(() => text.split('\n').length > 3, 5000, 'two replies');
			const lines = text
				.trim()
				.split('\n')
				.map(line => JSON.parse(line) as Record<string, unknown>);
			expect(lines[1]).toEqual({
				kind: 'reply',
				id: -1,
				ok: false,
				error: 'not a JSON line',
			});
			expect(lines[2]).toMatchObject({kind: 'reply', id: 2, ok: false});
			expect(lines[2]!.error).toContain('control protocol 1, the client 7');

			const closed = new Promise(resolve => {
				raw.once('close', resolve);
			});
			raw.write('x'.repeat(100 * 1024));
			await closed;
		} finally {
			await server.close();
		}
	});

	test('the client refuses an engine of another protocol version, naming both', async () => {
		const socketPath = path.join(temporaryDirectory(), 'old.sock');
		const fake = net.createServer(socket => {
			socket.write(
				`${JSON.stringify({kind: 'hello', protocol: 2, version: '9.0.0', pid: 7, config: 'c', metricsFolder: '/m'})}\n`,
			);
		});
		await new Promise<void>(resolve => {
			fake.listen(socketPath, resolve);
		});
		try {
			await expect(connectToEngine(socketPath)).rejects.toThrow(
				'the engine (pid 7, moondev-tui 9.0.0) speaks control protocol 2; this moondev-tui speaks 1: use the same version',
			);
		} finally {
			fake.close();
		}
	});

	test('no engine listening is a ControlError that says so', async () => {
		const socketPath = path.join(temporaryDirectory(), 'none.sock');
		const error: unknown = await connectToEngine(socketPath).catch(
			(error_: unknown) => error_,
		);
		expect(error).toBeInstanceOf(ControlError);
		expect((error as Error).message).toBe(
			`${socketPath}: no engine listens there`,
		);
	});

	test('a socket a killed engine left behind is replaced; a file that is no socket is not', async () => {
		const dir = temporaryDirectory();
		const socketPath = path.join(dir, 'moondev.sock');
		// A process that listens, then dies without cleaning up.
		const child = execa(process.execPath, [
			'-e',
			`require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`,
		]);
		await new Promise(resolve => {
			child.stdout?.once('data', resolve);
		});
		child.kill('SIGKILL');
		await child.catch(() => undefined);
		expect(statSync(socketPath).isSocket()).toBe(true);
		const server = await startControlServer({
			socketPath,
			hello,
			listen: () => () => undefined,
			snapshot: () => createInitialState(buildConfig({agents: {}})),
			handle: () => ({ok: true}),
		});
		const client = await connectToEngine(socketPath);
		expect(client.hello.pid).toBe(4242);
		client.close();
		await server.close();

		writeFileSync(socketPath, 'not a socket');
		await expect(
			startControlServer({
				socketPath,
				hello,
				listen: () => () => undefined,
				snapshot: () => createInitialState(buildConfig({agents: {}})),
				handle: () => ({ok: true}),
			}),
		).rejects.toThrow(/EADDRINUSE/v);
	});
});
