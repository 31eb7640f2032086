import path from 'node:path';
import process from 'node:process';
import {writeFileSync} from 'node:fs';
import Conf from 'conf';
import {expect, test} from 'vitest';
import {openSettings, settingsFile} from '../../source/config/settings.js';
import {runCli, temporaryDirectory, fixture} from '../helpers/index.js';

test('toggles are kept per config file and survive a reopen', async () => {
	const cwd = temporaryDirectory();
	const first = await openSettings('/srv/bots/a.json', {cwd});
	expect(first.toggles()).toEqual({});
	first.saveToggle('trading', false);
	first.saveToggle('news', true);
	await first.flush();
	const again = await openSettings('/srv/bots/a.json', {cwd});
	expect(again.toggles()).toEqual({trading: false, news: true});
	const other = await openSettings('/srv/bots/b.json', {cwd});
	expect(other.toggles()).toEqual({});
});

test('the settings file is where conf keeps it', () => {
	const cwd = temporaryDirectory();
	expect(settingsFile(cwd)).toBe(
		new Conf({projectName: 'moondev-tui', cwd}).path,
	);
	const home = temporaryDirectory();
	const previous = process.env.XDG_CONFIG_HOME;
	process.env.XDG_CONFIG_HOME = home;
	try {
		expect(settingsFile()).toBe(
			path.join(home, 'moondev-tui-nodejs', 'config.json'),
		);
	} finally {
		process.env.XDG_CONFIG_HOME = previous;
	}
});

test('saved toggles are honoured headless, and --agents wins over them', async () => {
	const dir = temporaryDirectory();
	const home = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	const sleep = ['node', fixture('sleep.mjs'), '10'];
	writeFileSync(
		file,
		JSON.stringify({
			agents: {
				a: {command: sleep, enabled: true},
				b: {command: sleep, enabled: false},
			},
		}),
	);
	const settings = await openSettings(file, {
		cwd: path.join(home, 'moondev-tui-nodejs'),
	});
	settings.saveToggle('a', false);
	settings.saveToggle('b', true);
	await settings.flush();

	const env = {XDG_CONFIG_HOME: home};
	const toggled = await runCli(
		['--headless', '--once', '--json', '--config', file],
		{env},
	);
	expect(toggled.stdout).toMatch(/"results":{"a":"disabled","b":"success"}/);
	const flagged = await runCli(
		['--headless', '--once', '--json', '--config', file, '--agents', 'a'],
		{env},
	);
	expect(flagged.stdout).toMatch(/"results":{"a":"success","b":"disabled"}/);
});

test('a toggle that cannot be saved is reported, not fatal', async () => {
	const dir = temporaryDirectory();
	writeFileSync(path.join(dir, 'file'), '');
	const errors: string[] = [];
	const settings = await openSettings('/srv/bots/a.json', {
		cwd: path.join(dir, 'file', 'conf'),
		onSaveError(error) {
			errors.push((error as NodeJS.ErrnoException).code ?? String(error));
		},
	});
	settings.saveToggle('trading', false);
	settings.saveToggle('news', true);
	await settings.flush();
	expect(errors).toEqual(['ENOTDIR', 'ENOTDIR']);
});

test('nothing outside the config file turns a critical agent off: not a saved toggle, not --agents', async () => {
	const dir = temporaryDirectory();
	const home = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	const sleep = ['node', fixture('sleep.mjs'), '10'];
	writeFileSync(
		file,
		JSON.stringify({
			agents: {
				risk: {command: sleep, enabled: true, critical: true},
				a: {command: sleep, enabled: true},
				b: {command: sleep, enabled: true},
			},
		}),
	);
	// As if saved while risk was not critical yet (or written by hand).
	const settings = await openSettings(file, {
		cwd: path.join(home, 'moondev-tui-nodejs'),
	});
	settings.saveToggle('risk', false);
	await settings.flush();

	const env = {XDG_CONFIG_HOME: home};
	const saved = await runCli(
		['--headless', '--once', '--json', '--config', file],
		{env},
	);
	expect(saved.stdout).toMatch(
		/"results":{"risk":"success","a":"success","b":"success"}/,
	);
	expect(saved.stdout).toMatch(
		/a saved toggle of risk is ignored: it is critical, and only the config file turns it off/,
	);

	const flagged = await runCli(
		['--headless', '--once', '--json', '--config', file, '--agents', 'b'],
		{env},
	);
	expect(flagged.stdout).toMatch(
		/"results":{"risk":"success","a":"disabled","b":"success"}/,
	);
});

test('validate shows the saved toggles; toggles lists them and reset forgets them', async () => {
	const dir = temporaryDirectory();
	const home = temporaryDirectory();
	const file = path.join(dir, 'moondev.json');
	writeFileSync(
		file,
		JSON.stringify({
			agents: {
				risk: {command: ['true'], enabled: true, critical: true},
				news: {command: ['true'], enabled: true},
			},
		}),
	);
	const settings = await openSettings(file, {
		cwd: path.join(home, 'moondev-tui-nodejs'),
	});
	settings.saveToggle('news', false);
	settings.saveToggle('risk', false);
	await settings.flush();
	const env = {XDG_CONFIG_HOME: home};

	const validated = await runCli(['validate', '--config', file], {env});
	expect(validated.exitCode).toBe(0);
	expect(validated.stdout).toMatch(
		/saved toggles \(.*config\.json; `moondev-tui toggles reset` forgets them\):\n {2}news {2}off\n {2}risk {2}off \(ignored: critical: only the config file turns it off\)/,
	);

	const listed = await runCli(['toggles', '--config', file], {env});
	expect(listed.stdout).toMatch(/news {2}off\n {2}risk {2}off \(ignored/);

	const reset = await runCli(['toggles', 'reset', '--config', file], {env});
	expect(reset.stdout).toMatch(
		/moondev\.json: forgot 2 saved toggles; the config file's enabled values hold$/,
	);
	const after = await runCli(['toggles', '--config', file], {env});
	expect(after.stdout).toMatch(/moondev\.json: no saved toggles$/);
});
