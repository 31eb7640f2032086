import {describe, expect, test} from 'vitest';
import {formatToggles, savedToggles} from '../../source/cli/saved-toggles.js';
import {buildConfig} from '../helpers/index.js';

/* The toggles saved by the TUI's space key, as `validate` and `toggles` show them. */

const config = () =>
	buildConfig({
		agents: {
			risk: {command: 'x', enabled: true, critical: true},
			trading: {command: 'x', enabled: true},
			news: {command: 'x'},
		},
	});

describe('saved toggles', () => {
	test('each toggle in the order saved, with whether it still holds', () => {
		expect(
			savedToggles(config(), {
				news: true,
				risk: false,
				trading: false,
				gone: true,
			}),
		).toEqual([
			{agent: 'news', enabled: true, ignored: undefined},
			{
				agent: 'risk',
				enabled: false,
				ignored: 'critical: only the config file turns it off',
			},
			{agent: 'trading', enabled: false, ignored: undefined},
			{agent: 'gone', enabled: true, ignored: 'no such agent in the config'},
		]);
	});

	test('a critical agent turned on is as ignored as one turned off: only the config decides', () => {
		expect(savedToggles(config(), {risk: true})).toEqual([
			{
				agent: 'risk',
				enabled: true,
				ignored: 'critical: only the config file turns it off',
			},
		]);
	});

	test('names an object already has are not agents', () => {
		const toggles = JSON.parse(
			'{"__proto__": false, "constructor": true, "toString": false}',
		) as Record<string, boolean>;
		expect(savedToggles(config(), toggles)).toEqual([
			{
				agent: '__proto__',
				enabled: false,
				ignored: 'no such agent in the config',
			},
			{
				agent: 'constructor',
				enabled: true,
				ignored: 'no such agent in the config',
			},
			{
				agent: 'toString',
				enabled: false,
				ignored: 'no such agent in the config',
			},
		]);
	});

	test('none saved: none shown', () => {
		expect(savedToggles(config(), {})).toEqual([]);
		expect(formatToggles([])).toEqual([]);
	});
});

describe('formatting them', () => {
	test('one line a toggle, the names in a column, why one is ignored after it', () => {
		expect(
			formatToggles(
				savedToggles(config(), {trading: false, risk: false, news: true}),
			),
		).toEqual([
			'  trading  off',
			'  risk     off (ignored: critical: only the config file turns it off)',
			'  news     on',
		]);
	});

	test('the column is at least four wide', () => {
		expect(
			formatToggles([
				{agent: 'a', enabled: true, ignored: undefined},
				{agent: 'bc', enabled: false, ignored: 'no such agent in the config'},
			]),
		).toEqual([
			'  a     on',
			'  bc    off (ignored: no such agent in the config)',
		]);
	});
});
