import process from 'node:process';
import tty from 'node:tty';
import {type Instance, render} from 'ink';
import type {ReactNode} from 'react';
import {enterFullScreen} from './full-screen.js';

export type Screen = {
	/** Unmounts Ink and restores the terminal (raw mode off, main screen, cursor); once. */
	readonly leave: () => void;
	/**
	Lends the terminal to another program (the pager) and takes it back when `run` is done,
	drawing the app again from what `run` gives (the view to come back to). The app is not drawn
	meanwhile; everything else — the engine above all — goes on. An abort of the signal `run` gets
	comes from `leave`: the process is ending, so `run` should end its program.
	*/
	readonly lend: <View>(
		run: (signal: AbortSignal) => Promise<View>,
		redraw: (view: View | undefined) => ReactNode,
	) => Promise<void>;
};

const options = {exitOnCtrlC: false, maxFps: 30, patchConsole: true} as const;

/**
The full-screen Ink app of the TUI and of `attach`: the alternate screen, the app drawn in it, and
a way to hand the terminal to another program and back, which Ink 6 has no word for.
*/
export function openScreen(app: ReactNode): Screen {
	let restore = enterFullScreen(process.stdout);
	let {stdin}: {stdin: NodeJS.ReadStream} = process;
	let instance: Instance | undefined = render(app, {...options, stdin});
	let lent: AbortController | undefined;
	let left = false;
	const unmount = () => {
		try {
			instance?.unmount();
		} catch {
			stdin.setRawMode?.(false);
		}

		instance = undefined;
	};

	return {
		leave() {
			left = true;
			lent?.abort();
			unmount();
			restore();
		},
		async lend(run, redraw) {
			if (left || lent) {
				return;
			}

			lent = new AbortController();
			unmount();
			// A paused TTY stream still reads the keyboard into its buffer, taking the other
			// program's keys (and giving them to the app afterwards): let go of it, read a new one later.
			const isTerminal = stdin.isTTY;
			if (isTerminal) {
				stdin.destroy();
			}

			restore();
			let view: Awaited<ReturnType<typeof run>> | undefined;
			try {
				view = await run(lent.signal);
			} finally {
				lent = undefined;
				if (!left) {
					restore = enterFullScreen(process.stdout);
					if (isTerminal) {
						stdin = new tty.ReadStream(0);
					}

					instance = render(redraw(view), {...options, stdin});
				}
			}
		},
	};
}
