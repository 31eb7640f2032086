import {readdirSync, rmSync} from 'node:fs';
import path from 'node:path';

/**
The temporary files of writes a crash interrupted: write-file-atomic's `<name>.<number>` beside the
state, metrics and prom files, and the lock's own `<name>.<pid>.tmp`. Never a metrics file.
*/
const interruptedWrite =
	/^(?:(?:state\.json|moondev\.prom|metrics_\d{8}_\d{6}(?:_\d+)?\.json)\.\d+|moondev\.lock\.(?:owner|groups)\.json\.\d+\.tmp)$/v;

/**
Removes what interrupted writes left in a metrics folder; call it with the folder's lock held, so
no write of a live engine is in flight. Returns the names removed.
*/
export function removeInterruptedWrites(folder: string): string[] {
	let names: string[];
	try {
		names = readdirSync(folder);
	} catch {
		return [];
	}

	const removed: string[] = [];
	for (const name of names) {
		if (interruptedWrite.test(name)) {
			try {
				rmSync(path.join(folder, name), {force: true});
				removed.push(name);
			} catch {
				// Left for the next start; it is never read as a metrics file.
			}
		}
	}

	return removed;
}
