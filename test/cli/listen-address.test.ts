import {expect, test} from 'vitest';
import {parseListen} from '../../source/cli/listen-address.js';
import {ConfigError} from '../../source/config/config-error.js';

/* `--listen host:port`: what is accepted, and what is said about the rest. */

test('a port alone, or after a colon, is 127.0.0.1: this machine only', () => {
	expect(parseListen('9100')).toEqual({host: '127.0.0.1', port: 9100});
	expect(parseListen(':9100')).toEqual({host: '127.0.0.1', port: 9100});
});

test('a host: an IPv4 address, a name, an IPv6 address in brackets', () => {
	expect(parseListen('0.0.0.0:9100')).toEqual({host: '0.0.0.0', port: 9100});
	expect(parseListen('192.168.1.20:80')).toEqual({
		host: '192.168.1.20',
		port: 80,
	});
	expect(parseListen('localhost:9100')).toEqual({
		host: 'localhost',
		port: 9100,
	});
	expect(parseListen('bot-box.lan:9100')).toEqual({
		host: 'bot-box.lan',
		port: 9100,
	});
	expect(parseListen('[::1]:9100')).toEqual({host: '::1', port: 9100});
	expect(parseListen('[::]:9100')).toEqual({host: '::', port: 9100});
	expect(parseListen('[fe80::1]:9100')).toEqual({host: 'fe80::1', port: 9100});
});

test('ports 0 to 65535', () => {
	expect(parseListen('0').port).toBe(0);
	expect(parseListen('127.0.0.1:65535').port).toBe(65_535);
});

test.each([
	['', 'no port'],
	[':', 'no port'],
	['localhost', '"localhost" is not a port'],
	['localhost:', 'no port'],
	['65536', 'port 65536 is past 65535'],
	['127.0.0.1:99999', 'port 99999 is past 65535'],
	['127.0.0.1:123456', '"123456" is not a port'],
	['9100.5', '"9100.5" is not a port'],
	['-1', '"-1" is not a port'],
	[':+80', '"+80" is not a port'],
	[' 9100', '" 9100" is not a port'],
	['127.0.0.1:9100 ', '"9100 " is not a port'],
	['::1:9100', 'an IPv6 address goes in brackets'],
	['[::1]', 'an IPv6 address in brackets needs a port after it'],
	['[::1]9100', 'an IPv6 address in brackets needs a port after it'],
	['[]:9100', '"" is not an IPv6 address'],
	['[127.0.0.1]:9100', '"127.0.0.1" is not an IPv6 address'],
	['999.0.0.1:9100', '"999.0.0.1" is not an IPv4 address'],
	['bad_host:9100', '"bad_host" is not a host'],
	['-lead.example:9100', '"-lead.example" is not a host'],
	['a b:9100', '"a b" is not a host'],
	['http://localhost:9100', '"http://localhost" is not a host'],
])(
	'%j: a ConfigError starting --listen:, saying why and what is expected',
	(text, why) => {
		let caught: unknown;
		try {
			parseListen(text);
		} catch (error) {
			caught = error;
		}

		expect(caught).toBeInstanceOf(ConfigError);
		expect((caught as Error).message).toBe(
			`--listen: ${why}: expected host:port, :port or port (host 127.0.0.1 by default; an IPv6 address in brackets, e.g. [::1]:9100; port 0-65535), got ${JSON.stringify(text)}`,
		);
	},
);
