import {spawnSync} from 'node:child_process';
import net from 'node:net';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {execa} from 'execa';

/** Whether Debian's redis-server is installed here (CI installs it, as it does tmux). */
export const hasRedisServer =
	spawnSync('redis-server', ['--version'], {stdio: 'ignore'}).status === 0;

export type RedisServer = {
	readonly url: string;
	readonly stop: () => Promise<void>;
};

/** A free TCP port on loopback, as the kernel hands one out. */
async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => {
				resolve(port);
			});
		});
	});
}

async function answers(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.write('PING\r\n');
		});
		socket.once('data', data => {
			socket.destroy();
			resolve(data.toString().startsWith('+PONG'));
		});
		socket.once('error', () => {
			resolve(false);
		});
	});
}

/** Starts a real redis-server on a free port, with nothing saved to disk. */
export async function startRedisServer(): Promise<RedisServer> {
	const dir = mkdtempSync(path.join(tmpdir(), 'moondev-redis-'));
	const port = await freePort();
	const server = execa(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
		],
		{reject: false, stdio: 'ignore'},
	);
	const deadline = Date.now() + 10_000;

	while (!(await answers(port))) {
		if (Date.now() > deadline || server.exitCode !== null) {
			throw new Error('redis-server did not start');
		}

		await new Promise(resolve => {
			setTimeout(resolve, 50);
		});
	}

	return {
		url: `redis://127.0.0.1:${port}`,
		async stop() {
			server.kill('SIGKILL');
			await server;
			rmSync(dir, {recursive: true, force: true});
		},
	};
}
