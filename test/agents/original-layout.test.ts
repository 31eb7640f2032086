import {existsSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {
	parseJsonLines,
	repoRoot,
	runCli,
	temporaryDirectory,
} from '../helpers/index.js';

/*
An imitation of the original Moon Dev project (../shared/seed-orchestrator-guide.md): a `src`
package whose agents import `from src.config import …` and `from src import nice_funcs as n`, a
RiskAgent class whose run() returns True to halt and that has no `__main__` block, and a trading
agent that has one. Plugged in as docs/agents.md says ("Plugging in the original agents"), with
moondev-tui installed in the project's node_modules.
*/
const files: Record<string, string> = {
	'src/__init__.py': '',
	'src/config.py': 'MAX_LOSS_USD = 25\nMAX_POSITION_PERCENT = 30\n',
	'src/nice_funcs.py': [
		'import os',
		'',
		'',
		'def daily_loss_usd():',
		'    return float(os.environ.get("DAILY_LOSS_USD", "0"))',
		'',
	].join('\n'),
	'src/agents/__init__.py': '',
	'src/agents/risk_agent.py': [
		'import os',
		'',
		'from src.config import MAX_LOSS_USD',
		'from src import nice_funcs as n',
		'',
		'',
		'class RiskAgent:',
		'    def __init__(self):',
		'        self.max_loss_usd = MAX_LOSS_USD',
		'        print("Risk Agent initialized")',
		'',
		'    def check_pnl_limits(self):',
		'        return n.daily_loss_usd() > self.max_loss_usd',
		'',
		'    def run(self):',
		'        mode = os.environ.get("RISK_MODE", "check")',
		'        if mode == "raise":',
		'            raise RuntimeError("price feed unavailable")',
		'        if mode == "none":',
		'            print("risk: nothing to check")',
		'            return None',
		'        breached = self.check_pnl_limits()',
		'        print("risk: loss limit breached" if breached else "risk: within limits")',
		'        return breached',
		'',
	].join('\n'),
	'src/agents/trading_agent.py': [
		'from src.config import MAX_POSITION_PERCENT',
		'from src import nice_funcs as n',
		'',
		'',
		'class TradingAgent:',
		'    def run(self):',
		'        with open("traded.marker", "a") as marker:',
		String.raw`            marker.write("traded\n")`,
		'        print("trading: paper order placed, at most %d%% a position" % MAX_POSITION_PERCENT)',
		'',
		'',
		'if __name__ == "__main__":',
		'    TradingAgent().run()',
		'',
	].join('\n'),
};

/** The recipe of docs/agents.md for the risk agent: a class called through the Python helper. */
const riskByHelper = {
	command:
		'python3 node_modules/moondev-tui/agents/moondev.py run src.agents.risk_agent:RiskAgent',
	enabled: true,
	critical: true,
	requireVerdict: true,
};

/** The imitation project with moondev-tui "installed" and this risk agent; trading as documented. */
function makeProject(risk: Record<string, unknown> = riskByHelper): string {
	const project = temporaryDirectory();
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(project, name)), {recursive: true});
		writeFileSync(path.join(project, name), text);
	}

	mkdirSync(path.join(project, 'node_modules'));
	symlinkSync(repoRoot, path.join(project, 'node_modules', 'moondev-tui'));
	mkdirSync(path.join(project, '.config'));
	writeFileSync(
		path.join(project, '.config', 'moondev.json'),
		JSON.stringify(
			{
				orchestrator: {
					maxRetries: 1,
					backoffBaseSeconds: 0.01,
					timeoutPerAgent: 30,
					metricsExportDir: 'data/orchestrator',
				},
				agents: {
					risk,
					trading: {
						command: 'python3 -m src.agents.trading_agent',
						enabled: true,
						dependsOn: ['risk'],
					},
				},
			},
			undefined,
			'\t',
		),
	);
	return project;
}

async function runOnce(project: string, env: Record<string, string> = {}) {
	const result = await runCli(
		[
			'--headless',
			'--once',
			'--json',
			'--config',
			path.join(project, '.config', 'moondev.json'),
		],
		{cwd: project, env},
	);
	const events = parseJsonLines(result.stdout);
	const end = events.find(event => event.type === 'cycle_end');
	const halt = events.find(event => event.type === 'halt');
	const riskEnd = events.find(
		event => event.type === 'agent_end' && event.agent === 'risk',
	);
	return {
		exitCode: result.exitCode,
		stderr: result.stderr,
		results: end?.results,
		haltReason: halt?.reason,
		riskEnd,
		traded: existsSync(path.join(project, 'traded.marker')),
	};
}

describe('the original agents, as they are', () => {
	test('run() returns False: a pass, and trading runs from the project folder', async () => {
		const project = makeProject();
		const run = await runOnce(project, {DAILY_LOSS_USD: '10'});
		expect(run).toMatchObject({
			exitCode: 0,
			results: {risk: 'success', trading: 'success'},
			haltReason: undefined,
			traded: true,
		});
	});

	test('run() returns True: a halt naming the class, and trading does not run', async () => {
		const project = makeProject();
		const run = await runOnce(project, {DAILY_LOSS_USD: '100'});
		expect(run).toMatchObject({
			exitCode: 3,
			results: {risk: 'halted', trading: 'skipped'},
			haltReason: 'RiskAgent.run() returned True',
			traded: false,
		});
	});

	test('run() returns None: no verdict, so the cycle halts', async () => {
		const project = makeProject();
		const run = await runOnce(project, {RISK_MODE: 'none'});
		expect(run).toMatchObject({
			exitCode: 3,
			results: {risk: 'halted', trading: 'skipped'},
			traded: false,
		});
		expect(run.haltReason).toMatch(/^risk gave no verdict/);
	});

	test('run() raises: the risk agent fails after its retry, and the cycle halts', async () => {
		const project = makeProject();
		const run = await runOnce(project, {RISK_MODE: 'raise'});
		expect(run).toMatchObject({
			exitCode: 3,
			results: {risk: 'failed', trading: 'skipped'},
			riskEnd: {status: 'failed', attempts: 2},
			traded: false,
		});
		expect(run.haltReason).toMatch(
			/^risk failed after 2 attempts: .*RuntimeError: price feed unavailable$/,
		);
	});

	test('the old way, `python3 src/agents/risk_agent.py`, never passes silently', async () => {
		// As documented before: the script's folder, not the project's, is on the import path.
		const plain = await runOnce(
			makeProject({
				...riskByHelper,
				command: 'python3 src/agents/risk_agent.py',
			}),
		);
		expect(plain).toMatchObject({
			exitCode: 3,
			results: {risk: 'failed', trading: 'skipped'},
			traded: false,
		});
		expect(plain.haltReason).toMatch(/No module named 'src'/);

		// Its imports made to work, it exits 0 having checked nothing (no __main__ block).
		const imported = {
			...riskByHelper,
			command: 'python3 src/agents/risk_agent.py',
			env: {PYTHONPATH: '.'},
		};
		const noVerdict = await runOnce(makeProject(imported), {
			DAILY_LOSS_USD: '100',
		});
		expect(noVerdict).toMatchObject({
			exitCode: 3,
			results: {risk: 'halted', trading: 'skipped'},
			traded: false,
		});
		expect(noVerdict.haltReason).toMatch(/^risk gave no verdict/);

		// Without requireVerdict that breach would have let trading run.
		const unguarded = await runOnce(
			makeProject({...imported, requireVerdict: false}),
			{DAILY_LOSS_USD: '100'},
		);
		expect(unguarded).toMatchObject({exitCode: 0, traded: true});
	}, 60_000);
});
