import {
	accessSync,
	constants,
	existsSync,
	mkdirSync,
	readFileSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {execa} from 'execa';
import {describe, expect, test} from 'vitest';
import {
	buildConfig,
	cliPath,
	parseJsonLines,
	repoRoot,
	temporaryDirectory,
	waitFor,
} from '../helpers/index.js';

const unitPath = path.join(
	repoRoot,
	'contrib',
	'systemd',
	'moondev-tui.service',
);
const crontabPath = path.join(repoRoot, 'contrib', 'cron', 'moondev-tui.cron');

/** The project folder and the bin as the shipped recipes name them: what a user edits. */
const recipeProject = '/srv/bots';
const recipeBin = '/srv/bots/node_modules/.bin/moondev-tui';

function isExecutable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** A program's path, looked up in PATH as a shell would. */
function which(program: string): string | undefined {
	return (process.env.PATH ?? '')
		.split(path.delimiter)
		.filter(Boolean)
		.map(dir => path.join(dir, program))
		.find(file => isExecutable(file));
}

const expectExecutableBin = () => {
	expect(
		isExecutable(cliPath),
		`${cliPath} must be executable, as npm makes an installed bin (scripts/build.mjs chmods it: npm run build)`,
	).toBe(true);
};

/** A unit file's settings: section → key → every value given (a key may repeat). */
function parseUnit(text: string) {
	const sections = new Map<string, Map<string, string[]>>();
	let current: Map<string, string[]> | undefined;
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#') || line.startsWith(';')) {
			continue;
		}

		const header = /^\[(.+)]$/.exec(line);
		if (header) {
			current = new Map();
			sections.set(header[1]!, current);
			continue;
		}

		const setting = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
		if (!setting || !current) {
			throw new Error(`not a unit file line: ${line}`);
		}

		const values = current.get(setting[1]!) ?? [];
		values.push(setting[2]!);
		current.set(setting[1]!, values);
	}

	const get = (section: string, key: string) =>
		sections.get(section)?.get(key)?.at(-1);
	return {sections, get};
}

describe('the systemd unit (contrib/systemd)', () => {
	const text = readFileSync(unitPath, 'utf8');
	const unit = parseUnit(text);

	test('the bin is the main process, and the stop, exit and restart settings are right', () => {
		const execStart = unit.get('Service', 'ExecStart') ?? '';
		expect(execStart).not.toMatch(/\bnpx\b|\bnpm\b/);
		expect(execStart.split(/\s+/)[0]).toBe(recipeBin);
		expect(execStart).toMatch(/ --headless\b/);
		expect(unit.get('Service', 'WorkingDirectory')).toBe(recipeProject);
		expect(unit.get('Service', 'User')).toBeTruthy();

		// SIGTERM to moondev-tui alone: it gives every agent its grace itself.
		expect(unit.get('Service', 'KillMode')).toBe('mixed');
		// The default grace, then the drain (at most the grace), then a margin.
		const defaultGrace = buildConfig({agents: {a: {command: 'true'}}})
			.orchestrator.killGraceSeconds;
		const timeoutStop = unit.get('Service', 'TimeoutStopSec') ?? '';
		expect(timeoutStop).toMatch(/^\d+$/);
		expect(Number(timeoutStop)).toBeGreaterThan(defaultGrace + 10);
		expect(Number(timeoutStop)).toBeGreaterThanOrEqual(2 * defaultGrace + 10);

		// A stop by SIGTERM (143), SIGHUP (129) or SIGINT (130) is a clean stop.
		const success = (unit.get('Service', 'SuccessExitStatus') ?? '').split(
			/\s+/,
		);
		expect(success).toEqual(expect.arrayContaining(['143', '129', '130']));

		expect(unit.get('Service', 'Restart')).toBe('on-failure');
		expect(Number(unit.get('Service', 'RestartSec'))).toBeGreaterThan(0);
		// Exit 2 (config error, folder held by another engine) would fail again: no restart loop.
		expect(
			(unit.get('Service', 'RestartPreventExitStatus') ?? '').split(/\s+/),
		).toContain('2');

		expect(unit.get('Install', 'WantedBy')).toBe('multi-user.target');

		// SIGHUP means stop: a reload is only ever the reload command.
		const reload = unit.get('Service', 'ExecReload') ?? '';
		expect(reload).not.toMatch(/\bkill\b/);
		expect(reload).toMatch(/moondev-tui reload --config \S+$/);
		// The same config as the engine's: reload finds the engine by it.
		expect(reload.split('--config ')[1]).toBe(
			unit.get('Service', 'ExecStart')?.split('--config ')[1],
		);

		for (const line of text.split('\n')) {
			if (!line.trim().startsWith('#')) {
				expect(line).not.toMatch(/-HUP\b|SIGHUP/);
			}
		}
	});

	test('systemd-analyze verify passes, against the built bin', async context => {
		const systemdAnalyze = which('systemd-analyze');
		if (!systemdAnalyze) {
			if (process.env.CI) {
				throw new Error(
					"systemd-analyze is missing on CI: .ci/run installs Debian's systemd package",
				);
			}

			context.skip(
				'systemd-analyze is not installed here (apt-get install systemd); CI installs it',
			);
			return;
		}

		expectExecutableBin();
		const dir = temporaryDirectory();
		// What a user does: point the paths at their project (here, the bin built in this repo).
		const unitText = text
			.replaceAll(recipeBin, cliPath)
			.replaceAll(recipeProject, dir);
		expect(unitText).not.toContain(recipeProject);
		const file = path.join(dir, 'moondev-tui.service');
		writeFileSync(file, unitText);

		const verify = async (unitFile: string) =>
			execa(systemdAnalyze, ['verify', unitFile], {
				reject: false,
				timeout: 30_000,
				env: {SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: ''},
			});
		// Lines about our unit, our folder or our bin: any is a failure. Other lines are the host's
		// (a container without systemd running may complain about itself).
		const aboutUs = (output: string) =>
			output
				.split('\n')
				.filter(
					line =>
						line.includes('moondev-tui') ||
						line.includes(dir) ||
						line.includes(cliPath),
				);

		const result = await verify(file);
		expect(aboutUs(result.stderr)).toEqual([]);
		expect(aboutUs(result.stdout)).toEqual([]);
		expect(result.exitCode).toBe(0);

		// The check is real: this systemd-analyze does warn about a unit's mistakes.
		const brokenDir = temporaryDirectory();
		const broken = path.join(brokenDir, 'moondev-tui.service');
		writeFileSync(broken, unitText.replace(/^KillMode=/m, 'KillMod='));
		const brokenResult = await verify(broken);
		expect(aboutUs(brokenResult.stderr).join('\n')).toMatch(/unknown key/i);
	});
});

/** The crontab's variable lines and its one job's command, as cron reads them. */
function parseCrontab(text: string) {
	const variables: Record<string, string> = {};
	const commands: string[] = [];
	for (const raw of text.split('\n')) {
		const line = raw.trim();
		if (line === '' || line.startsWith('#')) {
			continue;
		}

		const variable = /^([A-Za-z_]\w*)\s*=\s*(.*)$/.exec(line);
		if (variable) {
			variables[variable[1]!] = variable[2]!.replace(/^(["'])(.*)\1$/, '$2');
			continue;
		}

		const job = /^(?:\S+\s+){5}(.+)$/.exec(line);
		if (!job) {
			throw new Error(`not a crontab line: ${line}`);
		}

		commands.push(job[1]!);
	}

	return {variables, commands};
}

describe('the cron recipe (contrib/cron)', () => {
	const crontab = parseCrontab(readFileSync(crontabPath, 'utf8'));

	test('one job, one cycle in JSON lines, nothing cron would mangle', () => {
		expect(crontab.commands).toHaveLength(1);
		const [command] = crontab.commands;
		expect(command).toMatch(/--headless\b/);
		expect(command).toMatch(/--once\b/);
		expect(command).toMatch(/--json\b/);
		expect(command).not.toMatch(/\bnpx\b/);
		// Cron turns % into a newline.
		expect(command).not.toContain('%');
		expect(command).toContain(`cd ${recipeProject} `);
	});

	/** A fresh project, as `npm install moondev-tui` leaves it: a config and the bin in node_modules. */
	function makeProject(agents: Record<string, unknown>) {
		const project = temporaryDirectory();
		mkdirSync(path.join(project, '.config'));
		writeFileSync(
			path.join(project, '.config', 'moondev.json'),
			JSON.stringify({agents}),
		);
		mkdirSync(path.join(project, 'node_modules', '.bin'), {recursive: true});
		symlinkSync(
			cliPath,
			path.join(project, 'node_modules', '.bin', 'moondev-tui'),
		);
		return project;
	}

	/** Runs the job as cron would: its shell, cron's minimal environment, from HOME. */
	async function runAsCron(project: string) {
		expectExecutableBin();
		const home = temporaryDirectory();
		const variables = {...crontab.variables};
		// What the recipe tells a user whose node is elsewhere: put node's folder first in PATH.
		if (variables.PATH !== undefined) {
			variables.PATH = `${path.dirname(process.execPath)}:${variables.PATH}`;
		}

		const env = {
			PATH: '/usr/bin:/bin',
			HOME: home,
			SHELL: '/bin/sh',
			LOGNAME: 'cron',
			XDG_CONFIG_HOME: path.join(home, 'xdg'),
			...variables,
		};
		const command = crontab.commands[0]!.replaceAll(recipeProject, project);
		return execa(env.SHELL, ['-c', command], {
			cwd: home,
			env,
			extendEnv: false,
			reject: false,
			timeout: 30_000,
			stdin: 'ignore',
		});
	}

	const logOf = (project: string, name: string) => {
		const file = path.join(project, 'data', name);
		return existsSync(file) ? readFileSync(file, 'utf8') : '';
	};

	test('works on a fresh project under cron’s PATH, on its first run', async () => {
		const project = makeProject({
			quick: {command: ['node', '-e', '0'], enabled: true},
		});
		expect(existsSync(path.join(project, 'data'))).toBe(false);

		const result = await runAsCron(project);
		expect(logOf(project, 'errors.log')).toBe('');
		expect(result.stderr).toBe('');
		expect(result.exitCode).toBe(0);

		const events = parseJsonLines(logOf(project, 'cycles.jsonl'));
		expect(events.find(event => event.type === 'cycle_end')).toMatchObject({
			cycle: 1,
			halted: false,
			results: {quick: 'success'},
		});

		// The next run appends.
		const next = await runAsCron(project);
		expect(next.exitCode).toBe(0);
		expect(
			parseJsonLines(logOf(project, 'cycles.jsonl')).filter(
				event => event.type === 'cycle_end',
			),
		).toHaveLength(2);
	});

	test('an overlapping run exits 2, says the folder is in use, and runs nothing', async () => {
		// The agent marks each of its runs in a file, then works for 3 s.
		const runs = path.join(temporaryDirectory(), 'runs.txt');
		const slow = String.raw`require('node:fs').appendFileSync(${JSON.stringify(runs)}, 'run\n'); setTimeout(() => {}, 3000);`;
		const project = makeProject({
			slow: {command: ['node', '-e', slow], enabled: true},
		});

		const first = runAsCron(project);
		await waitFor(() => existsSync(runs), 15_000, 'the first run’s agent');

		const second = await runAsCron(project);
		expect(second.exitCode).toBe(2);
		expect(logOf(project, 'errors.log')).toMatch(/in use/);

		const firstResult = await first;
		expect(firstResult.exitCode).toBe(0);
		expect(readFileSync(runs, 'utf8')).toBe('run\n');
		const ends = parseJsonLines(logOf(project, 'cycles.jsonl')).filter(
			event => event.type === 'cycle_end',
		);
		expect(ends).toHaveLength(1);
		expect(ends[0]).toMatchObject({results: {slow: 'success'}});
	});
});
