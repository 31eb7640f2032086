import process from 'node:process';
import {createInterface} from 'node:readline';

/** Asks a person at the terminal one yes/no question on stderr; only "y" or "yes" is yes. */
export async function askYesNo(question: string): Promise<boolean> {
	// Ink unrefs stdin when it lets go of it: without this, the process would end mid-question.
	process.stdin.ref();
	const readline = createInterface({
		input: process.stdin,
		output: process.stderr,
	});
	try {
		const answer = await new Promise<string>(resolve => {
			readline.question(question, resolve);
			readline.once('close', () => {
				resolve('');
			});
		});
		return /^y(?:es)?$/iv.test(answer.trim());
	} finally {
		readline.close();
	}
}
