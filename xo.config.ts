import type {FlatXoConfig} from 'xo';

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
		// The contract's events carry null ("error": null, "percent": null), so their types do too.
		files: [
			'source/contract/events.ts',
			'source/runner/parse-protocol-line.ts',
			'source/monitor/metrics-file.ts',
			'test/**',
		],
		rules: {
			'@typescript-eslint/no-restricted-types': 'off',
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
