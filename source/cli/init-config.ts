import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {ConfigError} from '../config/config-error.js';

/**
`moondev-tui init`: writes a starter config that validates and runs as it is, with the original
system's agents laid out but disabled. Never overwrites.
*/
export function initConfig(options: {
	readonly cwd: string;
	readonly target?: string | undefined;
	readonly schemaFile: string;
}): string {
	const file = path.resolve(
		options.cwd,
		options.target ?? path.join('.config', 'moondev.json'),
	);
	if (existsSync(file)) {
		throw new ConfigError(
			`init: ${path.relative(options.cwd, file) || file} already exists; not overwritten`,
		);
	}

	const starter = {
		$schema: path.relative(path.dirname(file), options.schemaFile),
		orchestrator: {
			maxRetries: 3,
			timeoutPerAgent: 300,
			backoffMultiplier: 2,
			backoffBaseSeconds: 1,
			maxWorkers: 4,
			killGraceSeconds: 5,
			sleepBetweenRunsMinutes: 15,
			metricsExportDir: 'data/orchestrator',
		},
		agents: {
			heartbeat: {
				command: [
					'node',
					'-e',
					"console.log('::moondev::' + JSON.stringify({type: 'progress', percent: 100, message: 'alive'}))",
				],
				enabled: true,
				description:
					'A stand-in that proves the loop runs; replace it with your agents.',
			},
			risk: {
				command: 'python3 src/agents/risk_agent.py',
				enabled: false,
				critical: true,
				requireVerdict: true,
				description: 'Runs first; a failure or a halt stops the cycle.',
			},
			trading: {
				command: 'python3 src/agents/trading_agent.py',
				enabled: false,
				dependsOn: ['risk'],
				timeout: 120,
			},
			strategy: {
				command: 'python3 src/agents/strategy_agent.py',
				enabled: false,
			},
			copybot: {command: 'python3 src/agents/copybot_agent.py', enabled: false},
			sentiment: {
				command: 'python3 src/agents/sentiment_agent.py',
				enabled: false,
			},
		},
	};
	mkdirSync(path.dirname(file), {recursive: true});
	writeFileSync(file, `${JSON.stringify(starter, undefined, '\t')}\n`, {
		flag: 'wx',
	});
	return file;
}
