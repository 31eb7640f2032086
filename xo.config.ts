import {fileURLToPath} from 'node:url';
import type {FlatXoConfig} from 'xo';

// The layers of source/ (docs/architecture.md draws them), as the lint enforces them: each layer,
// the layers it may import, and why it imports no other (`why`, or a reason of its own for one
// direction in `because`). Every other layer is one zone of `import-x/no-restricted-paths`, whose
// message says the rule in words. A type-only import and a dynamic import() count like any other.
// test/lint/layers.test.ts lints a wrong import in every forbidden direction.
type Layer =
	| 'contract'
	| 'util'
	| 'config'
	| 'runner'
	| 'engine'
	| 'store'
	| 'monitor'
	| 'headless'
	| 'ui'
	| 'control'
	| 'notify'
	| 'fleet'
	| 'cli';

type LayerRule = {
	mayImport: readonly Layer[];
	why: string;
	because?: Partial<Record<Layer, string>>;
};

const layers: Record<Layer, LayerRule> = {
	contract: {
		mayImport: [],
		why: 'the contract is neutral: every layer imports it, so it imports none',
	},
	util: {
		mayImport: ['contract'],
		why: 'util holds small helpers that every layer may use, so it uses none of them',
	},
	config: {
		mayImport: ['contract', 'util'],
		why: 'the config is read before anything runs, and knows nothing of what runs it',
	},
	runner: {
		mayImport: ['contract', 'util'],
		why: 'the runner is the bottom layer, child processes only: it knows nothing above it',
	},
	engine: {
		mayImport: ['contract', 'util', 'config', 'runner'],
		why: 'the engine runs the cycles and gets everything else injected',
		because: {
			ui: 'the engine is free of React and of the screen',
			store:
				'the engine emits events and the store listens to them, not the other way round',
			monitor:
				'the engine emits events and the monitoring half listens to them; health comes injected',
			headless:
				'the engine emits events and the printers listen to them, not the other way round',
			cli: 'the command line wires the engine up, and the engine knows nothing of it',
		},
	},
	store: {
		mayImport: ['contract', 'util', 'config'],
		why: 'the store reduces the events into what the screen shows',
		because: {
			monitor:
				'the store and the monitoring half are two listeners side by side: neither imports the other',
			engine:
				'the store forwards the keys to the controls it is given (contract/controls.ts), never to the engine itself',
		},
	},
	monitor: {
		mayImport: ['contract', 'util', 'config', 'runner'],
		why: 'the monitoring half is one listener on the events, beside the store and the printers',
		because: {
			engine:
				'the monitoring half listens to the events the engine emits, and the engine gets health injected',
		},
	},
	headless: {
		// The monitor for the type of the cycle report that the dashboard prints.
		mayImport: ['contract', 'util', 'monitor'],
		why: "the printers print the events and the monitor's reports, and know nothing else",
	},
	ui: {
		mayImport: ['contract', 'util', 'config', 'store'],
		why: 'the screen reads the store and sends its commands through it',
		because: {
			runner:
				'the screen never touches child processes: its commands reach the engine through the store',
			cli: 'the command line wires the screen up (cli/run-tui.tsx), not the other way round',
			engine: 'the screen reaches the engine only through the store',
		},
	},
	control: {
		// The runner for its line splitter; the store for the state a snapshot carries.
		mayImport: ['contract', 'util', 'runner', 'store'],
		why: "the control socket carries the engine's state, events and controls between an engine and its clients, and is wired up by the command line",
		because: {
			engine:
				'the control socket reaches the engine through the controls it is given (contract/controls.ts), never the engine itself',
		},
	},
	notify: {
		mayImport: ['contract', 'util', 'config'],
		why: 'notifications listen to the events and send them on; they know nothing of what emits them',
	},
	fleet: {
		mayImport: ['contract', 'util', 'config', 'runner'],
		why: "the workers (Redis, BullMQ) run attempts with the runner and stand behind the engine's runner seam; they know nothing of what calls them",
	},
	cli: {
		mayImport: [
			'contract',
			'util',
			'config',
			'runner',
			'engine',
			'store',
			'monitor',
			'headless',
			'ui',
			'control',
			'notify',
			'fleet',
		],
		why: 'the command line wires every layer',
	},
};

const layerNames = Object.keys(layers) as Layer[];

const layerZones = layerNames.flatMap(layer => {
	const {mayImport, why, because = {}} = layers[layer];
	const allowed =
		mayImport.length === 0
			? 'no layer'
			: mayImport.map(name => `${name}/`).join(', ');
	return layerNames
		.filter(other => other !== layer && !mayImport.includes(other))
		.map(other => ({
			target: `./source/${layer}`,
			from: `./source/${other}`,
			message: `Layers: ${because[other] ?? why}: source/${layer}/ must not import source/${other}/ (it may import ${allowed}).`,
		}));
});

// Relative to this file, not to the folder xo runs in.
const basePath = fileURLToPath(new URL('.', import.meta.url));

const config: FlatXoConfig = [
	{
		ignores: ['dist/**', 'bench/results/**', '.scratch/**', 'coverage/**'],
	},
	{
		prettier: true,
		react: true,
		semicolon: true,
		rules: {
			// Ink and ink-ui turn it off too: `props`, `args`, `env` read fine.
			'unicorn/prevent-abbreviations': 'off',
			// The contract's event and metrics fields are snake_case, env names are UPPER_CASE.
			'@typescript-eslint/naming-convention': 'off',
			// Errors from Node's APIs arrive as `unknown`; reading their `code` needs a cast.
			'@typescript-eslint/no-unsafe-type-assertion': 'off',
			// A switch over an event union is one decision, however many cases it has.
			complexity: 'off',
			// The automatic JSX runtime (react-jsx) needs no React in scope.
			'react/react-in-jsx-scope': 'off',
			'react/jsx-uses-react': 'off',
			// The contract's JSON says null ("error": null), and TypeScript types say it back.
			'unicorn/no-null': 'off',
		},
	},
	{
		files: ['source/**', 'agents/**'],
		settings: {
			// The rule compares the files an import resolves to; an import says `./x.js` of `x.ts`
			// or `x.tsx`, as TypeScript's Node16 resolution wants.
			'import-x/resolver': {
				node: {
					extensions: ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.json'],
					extensionAlias: {'.js': ['.ts', '.tsx', '.js']},
				},
			},
		},
		rules: {
			'import-x/no-restricted-paths': [
				'error',
				{
					basePath,
					zones: [
						...layerZones,
						{
							target: './agents',
							from: './source',
							message:
								'Layers: the bundled agents are built and shipped apart from the CLI, and talk to it only through the protocol: agents/ must not import source/.',
						},
					],
				},
			],
		},
	},
	{
		// The contract's events carry null ("error": null, "percent": null), so their types do too.
		files: [
			'source/contract/events.ts',
			'source/runner/parse-protocol-line.ts',
			'source/monitor/metrics-file.ts',
			'source/control/engine-status.ts',
			'source/control/engine-health.ts',
			'test/**',
		],
		rules: {
			'@typescript-eslint/no-restricted-types': 'off',
		},
	},
	{
		// `${NAME}` in a notify or Redis URL is the config's own syntax, written in plain strings on purpose.
		files: [
			'source/config/schema.ts',
			'test/cli/notify.test.ts',
			'test/cli/show-logs.test.ts',
			'test/fleet/*.ts',
			'test/config/workers-config.test.ts',
		],
		rules: {
			'no-template-curly-in-string': 'off',
		},
	},
	{
		files: ['test/**', 'agents/**', 'bench/**', 'scripts/**'],
		rules: {
			// Agents and fixtures are small programs: exiting with a code and awaiting in a loop is their job.
			'unicorn/no-process-exit': 'off',
			'no-await-in-loop': 'off',
			'require-unicode-regexp': 'off',
			'unicorn/no-array-reduce': 'off',
			'unicorn/no-array-callback-reference': 'off',
			'@typescript-eslint/no-empty-function': 'off',
		},
	},
];

export default config;
