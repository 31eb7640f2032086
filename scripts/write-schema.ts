// Writes moondev.schema.json from the schema the loader validates with, so editors and the
// loader agree. `npm run schema`; a test fails when the committed file is stale.
import {writeFileSync} from 'node:fs';
import {configJsonSchema} from '../source/config/json-schema.js';

writeFileSync(
	new URL('../moondev.schema.json', import.meta.url),
	`${JSON.stringify(configJsonSchema(), undefined, '\t')}\n`,
);
