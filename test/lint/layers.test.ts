import {readdirSync} from 'node:fs';
import path from 'node:path';
import {Xo} from 'xo';
import {beforeAll, describe, expect, test} from 'vitest';
import {repoRoot} from '../helpers/index.js';

/*
The layers of source/ as docs/architecture.md draws them, written out here again rather than read
from xo.config.ts: the test holds the lint to the plan. Each layer, and the layers it may import.
*/
const plan = {
	contract: [],
	util: ['contract'],
	config: ['contract', 'util'],
	runner: ['contract', 'util'],
	engine: ['contract', 'util', 'config', 'runner'],
	store: ['contract', 'util', 'config'],
	monitor: ['contract', 'util', 'config', 'runner'],
	headless: ['contract', 'util', 'monitor'],
	ui: ['contract', 'util', 'config', 'store'],
	control: ['contract', 'util', 'runner', 'store'],
	notify: ['contract', 'util', 'config'],
	fleet: ['contract', 'util', 'config', 'runner'],
	cli: [
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
} as const;

type Layer = keyof typeof plan;

const layers = Object.keys(plan) as Layer[];

const mayImport = (layer: Layer, other: Layer): boolean =>
	(plan[layer] as readonly Layer[]).includes(other);

const pairs = layers.flatMap(layer =>
	layers.filter(other => other !== layer).map(other => [layer, other] as const),
);

/**
A module of `folder`, the first in it, whatever it is called today. The rule compares the files
that imports resolve to, so a fixture imports a module that exists; and a fixture is linted as the
text of a module that exists (in memory: nothing is written), because TypeScript's project service
parses only the files the tsconfig includes and finds on disk.
*/
function someModule(folder: string): string {
	const file = readdirSync(path.join(repoRoot, folder))
		.filter(name => /\.tsx?$/.test(name))
		.toSorted()[0];
	if (file === undefined) {
		throw new Error(`${folder}/ has no module`);
	}

	return `${folder}/${file}`;
}

/** How a module in `from` imports the module `to`. */
function specifier(from: string, to: string): string {
	return path
		.relative(path.join(repoRoot, from), path.join(repoRoot, to))
		.replace(/\.tsx?$/, '.js');
}

type Finding = {line: number; message: string};

const rule = 'import-x/no-restricted-paths';

/** What the lint finds in `lines`, placed (only in memory: nothing is written) at `file`. */
async function lintAt(
	xo: Xo,
	file: string,
	lines: readonly string[],
): Promise<Finding[]> {
	const {results} = await xo.lintText(`${lines.join('\n')}\n`, {
		filePath: path.join(repoRoot, file),
	});
	const messages = results.flatMap(result => result.messages);
	const fatal = messages.find(message => message.fatal);
	if (fatal) {
		throw new Error(`${file} did not parse: ${fatal.message}`);
	}

	return messages
		.filter(message => message.ruleId === rule)
		.map(({line, message}) => ({line, message}));
}

// One fixture per layer, importing every other layer, one import a line.
const findings = new Map<Layer, Finding[]>();
let typeOnlyAndDynamic: Finding[] = [];
let fromAgents: Finding[] = [];

beforeAll(async () => {
	// One XO for every fixture: it loads TypeScript and the config once.
	const xo = new Xo({cwd: repoRoot, ts: true});
	for (const layer of layers) {
		const folder = `source/${layer}`;
		const lines = layers
			.filter(other => other !== layer)
			.map(
				other =>
					`import '${specifier(folder, someModule(`source/${other}`))}';`,
			);
		findings.set(layer, await lintAt(xo, someModule(folder), lines));
	}

	typeOnlyAndDynamic = await lintAt(xo, someModule('source/engine'), [
		`import type * as screen from '${specifier('source/engine', someModule('source/ui'))}';`,
		`export const load = async () => import('${specifier('source/engine', someModule('source/store'))}');`,
		'export type Screen = typeof screen;',
	]);

	fromAgents = await lintAt(xo, someModule('agents'), [
		`import '${specifier('agents', someModule('source/contract'))}';`,
		`import '${specifier('agents', someModule('agents/lib'))}';`,
	]);
}, 60_000);

/** The findings on the import of `other` in `layer`'s fixture. */
function findingsOn(layer: Layer, other: Layer): Finding[] {
	const line = 1 + layers.filter(name => name !== layer).indexOf(other);
	return (findings.get(layer) ?? []).filter(finding => finding.line === line);
}

describe('the lint enforces the layers', () => {
	test.each(pairs.filter(([layer, other]) => !mayImport(layer, other)))(
		'source/%s/ must not import source/%s/',
		(layer, other) => {
			const found = findingsOn(layer, other);
			expect(found).toHaveLength(1);
			// The message says the rule in words, and which layers may be imported instead.
			expect(found[0]?.message).toContain(
				`source/${layer}/ must not import source/${other}/`,
			);
			expect(found[0]?.message).toMatch(/Layers: \w.{20,}: source\//);
		},
	);

	test.each(pairs.filter(([layer, other]) => mayImport(layer, other)))(
		'source/%s/ may import source/%s/',
		(layer, other) => {
			expect(findingsOn(layer, other)).toEqual([]);
		},
	);

	test('a type-only import and a dynamic import count like any other', () => {
		expect(typeOnlyAndDynamic.map(finding => finding.line)).toEqual([1, 2]);
		expect(typeOnlyAndDynamic[0]?.message).toContain(
			'source/engine/ must not import source/ui/',
		);
		expect(typeOnlyAndDynamic[1]?.message).toContain(
			'source/engine/ must not import source/store/',
		);
	});

	test('agents/ must not import source/, and may import its own modules', () => {
		expect(fromAgents).toHaveLength(1);
		expect(fromAgents[0]?.line).toBe(1);
		expect(fromAgents[0]?.message).toContain('agents/ must not import source/');
	});
});
