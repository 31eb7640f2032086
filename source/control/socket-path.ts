import {Buffer} from 'node:buffer';
import {createHash} from 'node:crypto';
import path from 'node:path';

/** Unix socket paths are cut at 108 bytes on Linux (104 on macOS); one past this goes elsewhere. */
const maxSocketPathBytes = 100;

/**
Where the engine of a metrics folder listens: `moondev.sock` beside its lock, or, when that path is
too long for a Unix socket, in this user's runtime folder under a name made from the folder's real
path. Clients do not guess: the engine writes the path into its lock's owner file.
*/
export function controlSocketPathOf(
	realMetricsFolder: string,
	runtimeFolder: string,
): string {
	const beside = path.join(realMetricsFolder, 'moondev.sock');
	if (Buffer.byteLength(beside) <= maxSocketPathBytes) {
		return beside;
	}

	const name = createHash('sha256')
		.update(realMetricsFolder)
		.digest('hex')
		.slice(0, 16);
	return path.join(runtimeFolder, 'sockets', `${name}.sock`);
}
