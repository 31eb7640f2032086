import process from 'node:process';
import {readFileSync} from 'node:fs';

/** Whether a process is alive and not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}

	try {
		// The state follows the parenthesised command name: "Z" is a zombie, already dead.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return (
			stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
		);
	} catch {
		return false;
	}
}
