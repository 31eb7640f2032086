import process from 'node:process';
import {killAllGroupsNow} from '../runner/kill-group.js';
import {exitCodes} from './exit-codes.js';

const signalExitCodes = {
	SIGINT: exitCodes.sigint,
	SIGTERM: exitCodes.sigterm,
	SIGHUP: 129,
} as const;

export type Interruption = {
	/** The exit code owed to the signal received, if one was. */
	readonly exitCode: () => number | undefined;
	readonly dispose: () => void;
};

/**
On SIGINT, SIGTERM or SIGHUP: `stop` (which kills every agent's group, SIGTERM then SIGKILL after
the grace) and remember the exit code, 130 / 143 / 129. A second signal does not wait: every group
is SIGKILLed and the process exits. Whatever happens, no group outlives the process.
*/
export function handleInterruptions(stop: () => void): Interruption {
	let received: number | undefined;
	const onSignal = (signal: keyof typeof signalExitCodes) => {
		if (received !== undefined) {
			killAllGroupsNow();
			// eslint-disable-next-line unicorn/no-process-exit -- a second signal means now
			process.exit(received);
		}

		received = signalExitCodes[signal];
		stop();
	};

	const handlers = Object.keys(signalExitCodes).map(signal => {
		const handler = () => {
			onSignal(signal as keyof typeof signalExitCodes);
		};

		process.on(signal, handler);
		return [signal, handler] as const;
	});
	process.on('exit', killAllGroupsNow);

	return {
		exitCode: () => received,
		dispose() {
			for (const [signal, handler] of handlers) {
				process.off(signal, handler);
			}
		},
	};
}
