import process from 'node:process';

/**
Line writers for stdout and stderr. A closed pipe (`moondev-tui --json | head`) calls `onClosed`
once, instead of crashing on EPIPE.
*/
export function createLineWriters(onClosed: () => void) {
	let closed = false;
	const close = () => {
		if (!closed) {
			closed = true;
			onClosed();
		}
	};

	for (const stream of [process.stdout, process.stderr]) {
		stream.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE') {
				close();
			} else {
				throw error;
			}
		});
	}

	return {
		out(line: string) {
			if (!closed) {
				process.stdout.write(`${line}\n`);
			}
		},
		err(line: string) {
			if (!closed) {
				process.stderr.write(`${line}\n`);
			}
		},
	};
}
