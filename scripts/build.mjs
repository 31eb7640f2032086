// Bundles the CLI into dist/: start-up is most of a short run's cost, and one bundle loads in a
// third of the time of the same modules unbundled. The TUI (React, Ink) is a separate chunk that
// the headless path never loads.
import {build} from 'esbuild';

await build({
	entryPoints: {cli: 'cli.tsx'},
	outdir: 'dist',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	// Jsonc-parser's "main" is a UMD build that esbuild cannot follow; its "module" is plain ESM.
	mainFields: ['module', 'main'],
	target: 'node20',
	jsx: 'automatic',
	sourcemap: 'linked',
	legalComments: 'none',
	minify: true,
	logLevel: 'warning',
	banner: {
		// Bundled CommonJS dependencies call require(); give them one.
		js: "#!/usr/bin/env node\nimport {createRequire as __moondevCreateRequire} from 'node:module';\nconst require = __moondevCreateRequire(import.meta.url);",
	},
	define: {'process.env.NODE_ENV': '"production"'},
});
