import {readFileSync} from 'node:fs';
import path from 'node:path';
import {expect, test} from 'vitest';
import {repoRoot} from '../helpers/index.js';

/*
Ordinary runs never load BullMQ or ioredis (issue 16): they sit in a chunk that only `worker` and
an engine with orchestrator.workers import(). Read from the built bundle, as it ships.
*/

const dist = path.join(repoRoot, 'dist');

/** The files dist/cli.js loads before running anything: its static imports, transitively. */
function startupFiles(): string[] {
	const seen = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) {
			return;
		}

		seen.add(file);
		const text = readFileSync(path.join(dist, file), 'utf8');
		// Minified static imports: `import{a as b}from"./chunk-X.js"`, `import"./chunk-Y.js"`.
		for (const match of text.matchAll(
			/(?:^|[;\n\}])\s*import\s*(?:[\w\{\}$,\s*]+from\s*)?"\.\/(?<name>[^"]+)"/gv,
		)) {
			visit(match.groups!.name!);
		}
	};

	visit('cli.js');
	return [...seen];
}

test('the start-up path holds none of BullMQ or ioredis; the workers chunk does', () => {
	const files = startupFiles();
	expect(files.length).toBeGreaterThan(1);
	for (const file of files) {
		const text = readFileSync(path.join(dist, file), 'utf8');
		// BullMQ's Lua, and ioredis' offline queue.
		expect(text, file).not.toContain('moveToFinished');
		expect(text, file).not.toContain('offlineQueue');
	}

	// Imported dynamically by one of the start-up files (main.ts's chunk).
	const chunk = files
		.map(
			file =>
				/import\("\.\/(?<name>fleet-chunk-[\w\-]+\.js)"\)/v.exec(
					readFileSync(path.join(dist, file), 'utf8'),
				)?.groups?.name,
		)
		.find(Boolean);
	expect(chunk).toBeDefined();
	expect(readFileSync(path.join(dist, chunk!), 'utf8')).toContain(
		'moveToFinished',
	);
});
