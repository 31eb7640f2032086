import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/**
The installed package's folder, found from this file whether it runs from `source/` (tests) or
bundled into `dist/`.
*/
export function packageRoot(): string {
	let folder = path.dirname(fileURLToPath(import.meta.url));
	while (!existsSync(path.join(folder, 'package.json'))) {
		const parent = path.dirname(folder);
		if (parent === folder) {
			throw new Error(`moondev-tui: no package.json above ${import.meta.url}`);
		}

		folder = parent;
	}

	return folder;
}

/** The demo config shipped in the package, used when no other config is found. */
export function bundledConfigFile(): string {
	return path.join(packageRoot(), '.config', 'moondev.json');
}

/** The JSON Schema of the config format, shipped in the package. */
export function schemaFile(): string {
	return path.join(packageRoot(), 'moondev.schema.json');
}

/** The package's version, read when asked (only `--version` needs it). */
export function packageVersion(): string {
	const manifest = JSON.parse(
		readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'),
	) as {
		version?: string;
	};
	return manifest.version ?? 'unknown';
}
