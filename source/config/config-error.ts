/**
A mistake in the config or on the command line: the CLI prints its message alone, with no stack
trace, and exits 2 (contract §2).
*/
export class ConfigError extends Error {
	override name = 'ConfigError';
}

/** `file: key.path: message`, the shape every config error takes (contract §3). */
export function configError(
	file: string,
	keyPath: string,
	message: string,
): ConfigError {
	return new ConfigError(
		keyPath ? `${file}: ${keyPath}: ${message}` : `${file}: ${message}`,
	);
}
