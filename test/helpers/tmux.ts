import {execFileSync} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {onTestFinished} from 'vitest';

/** Whether tmux is installed (CI installs it; see .ci/run). */
export function hasTmux(): boolean {
	try {
		execFileSync('tmux', ['-V'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
}

const tmux = (...args: string[]) =>
	execFileSync('tmux', args, {encoding: 'utf8'});

/**
A real terminal: a detached tmux session running `command`, read with capture-pane and typed
into with send-keys. Killed when the test ends.
*/
export function startTerminal(
	command: string,
	options: {columns?: number; rows?: number; env?: Record<string, string>} = {},
) {
	const name = `moondev-${randomUUID().slice(0, 8)}`;
	const environment = Object.entries(options.env ?? {})
		.map(([key, value]) => `${key}=${JSON.stringify(value)}`)
		.join(' ');
	// Under CI=true, Ink thinks it is not interactive (is-in-ci) and draws nothing until the
	// program exits; and a tmux server started by CI passes CI=true on to its sessions. The
	// session must look like a person's terminal.
	tmux(
		'new-session',
		'-d',
		'-s',
		name,
		'-x',
		String(options.columns ?? 100),
		'-y',
		String(options.rows ?? 30),
		`env -u CI -u CONTINUOUS_INTEGRATION ${environment} ${command}; echo "EXIT=$?"; sleep 600`,
	);
	onTestFinished(() => {
		try {
			tmux('kill-session', '-t', name);
		} catch {
			// Already gone.
		}
	});

	const screen = () => tmux('capture-pane', '-p', '-t', name);
	return {
		screen,
		/** Keys in tmux's names: 'j', 'Space', 'Enter', 'Escape', 'C-c'. */
		keys(...keys: string[]) {
			tmux('send-keys', '-t', name, ...keys);
		},
		/** Waits until the screen matches; fails with the last screen when it does not in time. */
		async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
			const deadline = Date.now() + timeoutMs;
			let last = '';
			while (Date.now() < deadline) {
				last = screen();
				if (pattern.test(last)) {
					return last;
				}

				await new Promise(resolve => {
					setTimeout(resolve, 100);
				});
			}

			throw new Error(
				`the screen never matched ${pattern}; it showed:\n${last}`,
			);
		},
	};
}
