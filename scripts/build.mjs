// Bundles the CLI into dist/: start-up is most of a short run's cost, and one bundle loads in a
// third of the time of the same modules unbundled. The TUI (React, Ink) is a separate chunk that
// the headless path never loads.
//
// Every package the CLI and the agents import is bundled, so the published package has no
// dependencies: they are all devDependencies, and a user's install pulls moondev-tui alone. The one
// import left out is `react-devtools-core`, which Ink loads only when DEV=true, for React DevTools;
// it is not a dependency (a developer who wants it installs it). Ink's layout engine, yoga-layout,
// carries its WebAssembly inline (base64), so it bundles like any module; so does BullMQ, whose Lua
// scripts are JavaScript strings (dist/esm/scripts/*.js), not files read at run time, and which
// reaches ioredis only through the client we hand it (its require()s of the other drivers, pg and
// valkey-glide, sit in try/catch and are never reached). BullMQ and ioredis are in a chunk of their
// own that only `worker` and an engine with orchestrator.workers load (a dynamic import() of
// source/cli/fleet-chunk.ts, which shares no module with the start-up path). A later dependency that
// reads its own files at run time (a native addon, a .wasm beside its module, `require.resolve`
// of its own folder) cannot be bundled: it goes in "dependencies" and in `external` below, with a
// line here saying why. `test/package/pack.test.ts` installs the packed package in an empty folder
// and runs it, which is what proves the list right.
//
// Run by two npm scripts, neither of which runs on a user's install: `dependencies` (after an
// install changes the repo's node_modules: its `npm ci`, an `npm install` that adds a package)
// and `prepack` (`npm pack`, `npm publish`, and the packing of a git dependency, whose clone gets
// an `npm install` first). Not `prepare`: npm 11 counts `prepare` in a tarball or git dependency as
// an install script, and `--strict-allow-scripts` refuses to install the package for it.
import {
	chmodSync,
	mkdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {build} from 'esbuild';
import ts from 'typescript';

const shared = {
	bundle: true,
	format: 'esm',
	platform: 'node',
	target: 'node20',
	minify: true,
	legalComments: 'none',
	logLevel: 'warning',
	// Kept in memory and written only when every build has succeeded: a failed build leaves the
	// dist/ it found, and the old files are gone for as short a time as possible.
	write: false,
};

/*
One chunk for everything an engine run loads. esbuild puts each module in a chunk named by the set
of entry points that reach it, so the modules the TUI and `attach` share with the headless path
were spread over several chunks, and Node's ESM loader pays ~0.5 ms per module file. Both already
run after main.ts has loaded (it imports them), as do the notifier, the HTTP server and conf it
loads only when asked for, so making them import it as well changes nothing at run time, and puts every
module main.ts reaches in one chunk.
*/
const oneChunkForTheEngine = {
	name: 'one-chunk-for-the-engine',
	setup(context) {
		context.onLoad(
			{
				filter:
					/(source\/(cli\/run-(tui|attach)\.tsx|control\/http-server\.ts|notify\/create-notifier\.ts)|node_modules\/conf\/dist\/source\/index\.js)$/,
			},
			args => ({
				contents: `${readFileSync(args.path, 'utf8')}\nimport ${JSON.stringify(path.relative(path.dirname(args.path), path.resolve('source/cli/main.js')).replace(/^(?!\.)/, './'))};\n`,
				loader: path.extname(args.path).slice(1),
			}),
		);
	},
};

const cli = await build({
	...shared,
	entryPoints: {cli: 'cli.tsx'},
	outdir: 'dist',
	splitting: true,
	// Jsonc-parser's "main" is a UMD build that esbuild cannot follow; its "module" is plain ESM.
	mainFields: ['module', 'main'],
	// Ink loads it only when DEV=true, for React DevTools; it is not a dependency.
	external: ['react-devtools-core'],
	// Proper-lockfile requires graceful-fs only as its default `fs` (with assert, stream and
	// constants, ~2 ms at start-up); engine-lock.ts always passes its own, so graceful-fs would never
	// be called.
	alias: {'graceful-fs': 'node:fs'},
	plugins: [oneChunkForTheEngine],
	jsx: 'automatic',
	// For stack traces in the repo (`node --enable-source-maps`); package.json's "files" leaves
	// them out of the package.
	sourcemap: 'linked',
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

// The bundled agents: one standalone file each (`node dist/agents/risk.js`), no shared chunks.
const agents = await build({
	...shared,
	entryPoints: [
		'agents/risk.ts',
		'agents/strategy.ts',
		'agents/sentiment.ts',
		'agents/trading.ts',
		'agents/copybot.ts',
	],
	outdir: 'dist/agents',
});

// The Node helper for agents, public as `moondev-tui/agent`: readable JavaScript (it imports
// only node:process), with its declarations beside it.
const helperSource = 'agents/lib/moondev.ts';
const helper = await build({
	...shared,
	entryPoints: {agent: helperSource},
	outdir: 'dist',
	bundle: false,
	minify: false,
	banner: {
		js: "// moondev-tui's helper for Node agents (`import {progress} from 'moondev-tui/agent'`): see docs/agents.md.",
	},
});
const declarations = ts.transpileDeclaration(
	readFileSync(helperSource, 'utf8'),
	{fileName: helperSource, reportDiagnostics: true},
);
if (declarations.diagnostics?.length) {
	throw new Error(
		`${helperSource}: cannot write its declarations: ${ts.flattenDiagnosticMessageText(declarations.diagnostics[0].messageText, '\n')}`,
	);
}

// A clean dist/: chunk names change with their content, and stale ones would pile up.
rmSync('dist', {recursive: true, force: true});
for (const file of [
	...cli.outputFiles,
	...agents.outputFiles,
	...helper.outputFiles,
]) {
	mkdirSync(path.dirname(file.path), {recursive: true});
	writeFileSync(file.path, file.contents);
}

writeFileSync('dist/agent.d.ts', declarations.outputText);

// The bin runs by itself (systemd's ExecStart, cron, node_modules/.bin), as npm's install makes it.
chmodSync('dist/cli.js', 0o755);
