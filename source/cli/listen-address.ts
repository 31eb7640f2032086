import net from 'node:net';
import {ConfigError} from '../config/config-error.js';

/** Where `--listen` serves, when only a port is given. */
export const defaultListenHost = '127.0.0.1';

export type ListenAddress = {readonly host: string; readonly port: number};

const expected =
	'expected host:port, :port or port (host 127.0.0.1 by default; an IPv6 address in brackets, e.g. [::1]:9100; port 0-65535)';

/** A host name, as DNS spells one: letters, digits, hyphens, dots between labels. */
const hostNamePattern =
	/^[a-z\d](?:[a-z\d\-]{0,61}[a-z\d])?(?:\.[a-z\d](?:[a-z\d\-]{0,61}[a-z\d])?)*$/iv;

/**
`--listen host:port` (contract §8): `9100` and `:9100` mean 127.0.0.1:9100 (this machine only),
`0.0.0.0:9100` every IPv4 interface, `[::1]:9100` an IPv6 address. Anything else is a ConfigError
starting `--listen:` that says what is expected.
*/
export function parseListen(text: string): ListenAddress {
	const fail = (why: string): never => {
		throw new ConfigError(
			`--listen: ${why}: ${expected}, got ${JSON.stringify(text)}`,
		);
	};

	let host = defaultListenHost;
	let portText = text;
	if (text.startsWith('[')) {
		const match = /^\[([^\]]*)\]:(.*)$/sv.exec(text);
		if (!match) {
			return fail('an IPv6 address in brackets needs a port after it');
		}

		host = match[1] ?? '';
		portText = match[2] ?? '';
		if (net.isIPv6(host)) {
			return {host, port: parsePort(portText, fail)};
		}

		return fail(`${JSON.stringify(host)} is not an IPv6 address`);
	}

	const colon = text.lastIndexOf(':');
	if (colon !== -1) {
		const named = text.slice(0, colon);
		portText = text.slice(colon + 1);
		if (net.isIPv6(named)) {
			return fail('an IPv6 address goes in brackets');
		}

		if (named !== '') {
			const looksNumeric = /^[\d.]+$/v.test(named);
			if (
				!net.isIPv4(named) &&
				(looksNumeric || !hostNamePattern.test(named))
			) {
				return fail(
					`${JSON.stringify(named)} is not ${looksNumeric ? 'an IPv4 address' : 'a host'}`,
				);
			}

			host = named;
		}
	}

	return {host, port: parsePort(portText, fail)};
}

function parsePort(text: string, fail: (why: string) => never): number {
	if (!/^\d{1,5}$/v.test(text)) {
		return fail(
			text === '' ? 'no port' : `${JSON.stringify(text)} is not a port`,
		);
	}

	const port = Number(text);
	if (port > 65_535) {
		return fail(`port ${port} is past 65535`);
	}

	return port;
}
