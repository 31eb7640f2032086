// Prints <count> numbered log lines as fast as the pipe takes them. Usage: print-lines.mjs <count>
import process from 'node:process';

const count = Number(process.argv[2] ?? 50_000);
const body = 'x'.repeat(60);
let index = 0;
const write = () => {
	while (index < count) {
		let chunk = '';
		for (let line = 0; line < 500 && index < count; line++, index++) {
			chunk += `${index} ${body}\n`;
		}

		if (!process.stdout.write(chunk)) {
			process.stdout.once('drain', write);
			return;
		}
	}
};

write();
