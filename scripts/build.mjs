// Bundles the CLI into dist/: start-up is most of a short run's cost, and one bundle loads in a
// third of the time of the same modules unbundled. The TUI (React, Ink) is a separate chunk that
// the headless path never loads.
import {chmodSync, rmSync} from 'node:fs';
import {build} from 'esbuild';

// A clean dist/: chunk names change with their content, and stale ones would pile up.
rmSync('dist', {recursive: true, force: true});

await build({
	entryPoints: {cli: 'cli.tsx'},
	outdir: 'dist',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	// Jsonc-parser's "main" is a UMD build that esbuild cannot follow; its "module" is plain ESM.
	mainFields: ['module', 'main'],
	// Ink loads it only when DEV=true, for React DevTools; it is not a dependency.
	external: ['react-devtools-core'],
	target: 'node20',
	jsx: 'automatic',
	sourcemap: 'linked',
	legalComments: 'none',
	minify: true,
	logLevel: 'warning',
	banner: {
		// Bundled CommonJS dependencies call require() and read __filename; give them both.
		js: [
			'#!/usr/bin/env node',
			"import {createRequire as __moondevCreateRequire} from 'node:module';",
			"import {fileURLToPath as __moondevFileURLToPath} from 'node:url';",
			'const require = __moondevCreateRequire(import.meta.url);',
			'const __filename = __moondevFileURLToPath(import.meta.url);',
			"const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
		].join('\n'),
	},
	define: {'process.env.NODE_ENV': '"production"'},
});

// The bin runs by itself (systemd's ExecStart, cron, node_modules/.bin), as npm's install makes it.
chmodSync('dist/cli.js', 0o755);

// The bundled agents: one standalone file each (`node dist/agents/risk.js`), no shared chunks.
await build({
	entryPoints: [
		'agents/risk.ts',
		'agents/strategy.ts',
		'agents/sentiment.ts',
		'agents/trading.ts',
		'agents/copybot.ts',
	],
	outdir: 'dist/agents',
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	minify: true,
	legalComments: 'none',
	logLevel: 'warning',
});
