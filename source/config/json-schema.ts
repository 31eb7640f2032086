import * as z from 'zod/mini';
import {configSchema} from './schema.js';

/** The JSON Schema of the config file, made from the loader's own schema. */
export function configJsonSchema(): Record<string, unknown> {
	return {
		...z.toJSONSchema(configSchema, {io: 'input', unrepresentable: 'any'}),
		$id: 'https://moondev-tui.dev/moondev.schema.json',
		title: 'moondev-tui config',
	};
}
