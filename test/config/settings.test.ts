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
