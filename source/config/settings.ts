import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';

/** Where conf keeps moondev-tui's settings: conf's own default for this project name. */
const projectName = 'moondev-tui';

/** The user's toggles of one config file: agent → enabled. */
export type Toggles = Readonly<Record<string, boolean>>;

export type Settings = {
	/** The toggles saved for this config file. */
	readonly toggles: () => Toggles;
	/** Saves one toggle, so it survives a restart. */
	readonly saveToggle: (agent: string, enabled: boolean) => void;
	/** Resolves once every toggle asked for is on disk. */
	readonly flush: () => Promise<void>;
	/** Forgets every toggle saved for this config file; resolves with how many there were. */
	readonly reset: () => Promise<number>;
};

/** Conf's settings file, computed without loading conf (and its schema validator). */
export function settingsFile(cwd?: string): string {
	return path.join(
		cwd ?? envPaths(projectName, {suffix: 'nodejs'}).config,
		'config.json',
	);
}

/** The settings key of a config file: toggles belong to the file they were made with. */
export function togglesKey(configFile: string): string {
	return `toggles.${createHash('sha256').update(path.resolve(configFile)).digest('hex').slice(0, 16)}`;
}

/**
The enable/disable toggles made in the TUI, kept with conf per config file. conf costs ~40 ms to
load (it compiles a JSON-schema validator), so it is imported only when there is a settings file
to read or a toggle to save: a headless run of a user who never toggled pays nothing.
*/
export async function openSettings(
	configFile: string,
	options: {
		readonly cwd?: string;
		/** Called when a toggle cannot be written; the toggle still holds for this run. */
		readonly onSaveError?: (error: unknown) => void;
	} = {},
): Promise<Settings> {
	const key = togglesKey(configFile);
	let store:
		| {
				get: (key: string) => unknown;
				set: (key: string, value: unknown) => void;
				delete: (key: string) => void;
		  }
		| undefined;
	const load = async () => {
		const {default: Conf} = await import('conf');
		store = new Conf({
			projectName,
			...(options.cwd === undefined ? {} : {cwd: options.cwd}),
		});
		return store;
	};

	if (existsSync(settingsFile(options.cwd))) {
		await load();
	}

	let pending: Promise<unknown> = Promise.resolve();
	const current = (): Record<string, boolean> => ({
		...(store?.get(key) as Record<string, boolean> | undefined),
	});
	return {
		toggles: current,
		saveToggle(agent, enabled) {
			// Saves in order, loading conf on the first toggle ever.
			pending = pending
				.then(async () => {
					const settings = store ?? (await load());
					settings.set(key, {...current(), [agent]: enabled});
				})
				// A toggle that cannot be saved still applies to this run; it is reported, not fatal.
				.catch((error: unknown) => {
					options.onSaveError?.(error);
				});
		},
		async flush() {
			await pending;
		},
		async reset() {
			await pending;
			const count = Object.keys(current()).length;
			if (count > 0) {
				const settings = store ?? (await load());
				settings.delete(key);
			}

			return count;
		},
	};
}
