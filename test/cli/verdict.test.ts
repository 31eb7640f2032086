import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	fixtureCommand,
	parseJsonLines,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

/*
Fail closed on the risk check's own words: a critical agent's protocol line that cannot be trusted
halts the cycle, and under requireVerdict only a pass lets trading go on. Real agents, the built CLI.
*/

const node = fixtureCommand;

/** A critical agent printing `lines`, then trading, which leaves a marker if it ever runs. */
async function cycleWith(lines: string[], risk: Record<string, unknown> = {}) {
	const dir = temporaryDirectory();
	const marker = path.join(dir, 'traded');
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {
				metricsExportDir: 'metrics',
				maxRetries: 2,
				backoffBaseSeconds: 0.01,
			},
			agents: {
				risk: {
					command: node('say.mjs', ...lines),
					enabled: true,
					critical: true,
					...risk,
				},
				trading: {command: node('touch.mjs', marker), enabled: true},
			},
		}),
	);
	const result = await runCli([
		'--headless',
		'--once',
		'--json',
		'--config',
		file,
	]);
	const events = parseJsonLines(result.stdout);
	return {result, events, traded: existsSync(marker)};
}

describe("a critical agent's protocol lines must be exact", () => {
	for (const [label, line, why] of [
		[
			'a reason that is not a string',
			'::moondev::{"type":"halt","reason":42}',
			'that cannot be read',
		],
		[
			'the prefix in another case',
			'::MOONDEV::{"type":"halt","reason":"VaR"}',
			'in the wrong case',
		],
		[
			'text before it',
			'INFO ::moondev::{"type":"halt","reason":"VaR"}',
			'with text before it',
		],
		[
			'on stderr',
			'stderr:::moondev::{"type":"halt","reason":"VaR"}',
			'on stderr',
		],
		[
			'the type in another case',
			'::moondev::{"type":"HALT","reason":"VaR"}',
			'that cannot be read',
		],
		[
			'not JSON',
			'::moondev::{"type":"halt", reason: VaR}',
			'that cannot be read',
		],
	] as const) {
		test(`a halt line with ${label} halts the cycle, and trading never starts`, async () => {
			const {result, events, traded} = await cycleWith([line]);
			expect(result.exitCode).toBe(3);
			expect(traded).toBe(false);
			const halt = events.find(event => event.type === 'halt');
			expect(halt).toMatchObject({agent: 'risk'});
			expect(halt?.reason).toMatch(
				new RegExp(`^risk printed a protocol line ${why}`, 'v'),
			);
			expect(events).toContainEqual(
				expect.objectContaining({
					type: 'alert',
					level: 'critical',
					agent: 'risk',
				}),
			);
			// Not retried: a malformed verdict is an answer, not a fault.
			expect(events.filter(event => event.type === 'agent_start')).toHaveLength(
				1,
			);
		});
	}

	test('a plain log line that mentions a halt is just a log line', async () => {
		const {result, traded} = await cycleWith([
			'no halt today',
			'stderr:halting nothing',
		]);
		expect(result.exitCode).toBe(0);
		expect(traded).toBe(true);
	});
});

describe('requireVerdict', () => {
	test('an exit 0 without a verdict halts: a risk check that checked nothing is no pass', async () => {
		const {result, events, traded} = await cycleWith(['checked nothing'], {
			requireVerdict: true,
		});
		expect(result.exitCode).toBe(3);
		expect(traded).toBe(false);
		expect(events.find(event => event.type === 'halt')).toMatchObject({
			reason: 'risk gave no verdict: it exited 0 without saying pass or halt',
		});
	});

	test('a pass lets trading run', async () => {
		const {result, traded} = await cycleWith(
			['::moondev::{"type":"pass","message":"VaR 3.1% within 7%"}'],
			{requireVerdict: true},
		);
		expect(result.exitCode).toBe(0);
		expect(traded).toBe(true);
	});

	test('a halt after a pass still halts', async () => {
		const {result, traded} = await cycleWith(
			[
				'::moondev::{"type":"pass"}',
				'::moondev::{"type":"halt","reason":"drawdown"}',
			],
			{requireVerdict: true},
		);
		expect(result.exitCode).toBe(3);
		expect(traded).toBe(false);
	});
});

test("another agent's malformed lines are counted where a person sees them: the dashboard, moondev.prom, the row", async () => {
	const dir = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			orchestrator: {metricsExportDir: 'metrics'},
			agents: {trading: {command: node('protocol.mjs'), enabled: true}},
		}),
	);
	const result = await runCli(['--headless', '--once', '--config', file]);
	expect(result.exitCode).toBe(0);
	expect(result.stdout).toMatch(
		/trading +✓ success +[\d.]+s {2}\(3 bad protocol lines so far\)/,
	);
	expect(
		readFileSync(path.join(dir, 'metrics', 'moondev.prom'), 'utf8'),
	).toMatch(/moondev_agent_malformed_lines_total{agent="trading"} 3/);
});
