import process from 'node:process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {execa} from 'execa';
import {onTestFinished} from 'vitest';
import {parseConfig} from '../../source/config/load-config.js';
import type {ResolvedConfig} from '../../source/config/resolved-config.js';
import type {Clock} from '../../source/engine/clock.js';
import type {AttemptStatus, EngineEvent} from '../../source/contract/events.js';
import type {
	AttemptResult,
	RunAgent,
	RunAgentRequest,
} from '../../source/runner/run-agent.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The absolute path of a fixture agent. */
export function fixture(name: string): string {
	return path.join(repoRoot, 'test', 'fixtures', 'agents', name);
}

/** The command that runs a fixture agent with this Node: `["node", <fixture>, ...args]`. */
export function fixtureCommand(name: string, ...args: string[]): string[] {
	return ['node', fixture(name), ...args];
}

/** The objects of a JSON-lines output, one per non-empty line. */
export function parseJsonLines(text: string): Array<Record<string, unknown>> {
	return text
		.split('\n')
		.filter(Boolean)
		.map(line => JSON.parse(line) as Record<string, unknown>);
}

/** A fresh temporary folder, removed when the test ends. */
export function temporaryDirectory(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'moondev-test-'));
	onTestFinished(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	return dir;
}

/** A resolved config from config data, as if read from `<dir>/moondev.json`. */
export function buildConfig(
	raw: unknown,
	dir = temporaryDirectory(),
): ResolvedConfig {
	return parseConfig(raw, {file: path.join(dir, 'moondev.json'), cwd: dir});
}

export type FakeClock = Clock & {
	/** Every sleep asked for, in ms. */
	readonly sleeps: number[];
	readonly advance: (ms: number) => void;
};

/** A clock whose sleeps return at once (on the next turn of the event loop) and move time on. */
export function createFakeClock(
	start = Date.parse('2026-11-02T10:00:00'),
): FakeClock {
	let now = start;
	const sleeps: number[] = [];
	return {
		sleeps,
		now: () => now,
		advance(ms) {
			now += ms;
		},
		async sleep(ms, signal) {
			sleeps.push(ms);
			if (signal?.aborted) {
				return;
			}

			await new Promise(resolve => {
				setImmediate(resolve);
			});
			now += ms;
		},
	};
}

type FakeStep =
	| AttemptStatus
	| Partial<AttemptResult>
	| ((request: RunAgentRequest) => Promise<Partial<AttemptResult>>);

/**
A runner that plays a script per agent (one step per attempt; the last repeats) and records the
requests, without starting processes.
*/
export function createFakeRunner(script: Record<string, FakeStep[]> = {}) {
	const calls: RunAgentRequest[] = [];
	const attempts = new Map<string, number>();
	const run: RunAgent = async request => {
		calls.push(request);
		const index = attempts.get(request.agent) ?? 0;
		attempts.set(request.agent, index + 1);
		const steps = script[request.agent] ?? ['success'];
		const step = steps[Math.min(index, steps.length - 1)] ?? 'success';
		const partial =
			typeof step === 'string'
				? {status: step}
				: typeof step === 'function'
					? await step(request)
					: step;
		const status = partial.status ?? 'success';
		return {
			exitCode: status === 'success' ? 0 : 1,
			signal: undefined,
			error: status === 'success' ? undefined : `fake ${status}`,
			haltReason: undefined,
			durationMs: 10,
			malformedLines: 0,
			passed: false,
			untrustedLines: [],
			...partial,
			status,
		};
	};

	return {run, calls, agentsRun: () => calls.map(call => call.agent)};
}

/** Collects every event emitted. */
export function createRecorder() {
	const events: EngineEvent[] = [];
	return {
		events,
		emit(event: EngineEvent) {
			events.push(event);
		},
		ofType<T extends EngineEvent['type']>(type: T) {
			return events.filter(
				(event): event is Extract<EngineEvent, {type: T}> =>
					event.type === type,
			);
		},
	};
}

export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

/**
An environment of the user's own for one start of the CLI: a fresh HOME, XDG_CONFIG_HOME (conf's
settings) and XDG_RUNTIME_DIR (the per-config locks), so nothing on this machine changes a test.
*/
export function isolatedEnv(
	extra: Record<string, string> = {},
): Record<string, string> {
	const home = temporaryDirectory();
	return {
		HOME: home,
		XDG_CONFIG_HOME: path.join(home, '.config'),
		XDG_RUNTIME_DIR: path.join(home, 'run'),
		...extra,
	};
}

/** Writes a conf settings file into an isolated env's config folder, as a toggle in the TUI would. */
export function withSettingsFile(env: Record<string, string>): void {
	const folder = path.join(env.XDG_CONFIG_HOME!, 'moondev-tui-nodejs');
	mkdirSync(folder, {recursive: true});
	writeFileSync(path.join(folder, 'config.json'), '{}\n');
}

/** Runs the built CLI as a user would, never rejecting. */
export async function runCli(
	args: readonly string[],
	options: {cwd?: string; env?: Record<string, string>; timeout?: number} = {},
) {
	return startCli(args, options);
}

/** Starts the built CLI, never rejecting; the caller may signal it before awaiting it. */
// eslint-disable-next-line @typescript-eslint/promise-function-async -- the subprocess itself, to signal
export function startCli(
	args: readonly string[],
	options: {cwd?: string; env?: Record<string, string>; timeout?: number} = {},
) {
	return execa(process.execPath, [cliPath, ...args], {
		cwd: options.cwd ?? repoRoot,
		// The user's saved toggles and locks must not leak into tests.
		env: isolatedEnv(options.env),
		reject: false,
		timeout: options.timeout ?? 30_000,
		stdin: 'ignore',
	});
}

/** Whether a process is alive. */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Waits until `check` is true, polling; fails after `timeoutMs`. */
export async function waitFor(
	check: () => boolean,
	timeoutMs = 5000,
	what = 'condition',
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}`);
		}

		await new Promise(resolve => {
			setTimeout(resolve, 20);
		});
	}
}
