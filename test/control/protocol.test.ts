import {describe, expect, test} from 'vitest';
import {
	controlProtocolVersion,
	parseRequest,
} from '../../source/control/protocol.js';

describe('parseRequest', () => {
	test('a well-formed request', () => {
		expect(
			parseRequest(
				JSON.stringify({
					id: 3,
					protocol: 1,
					op: 'disable',
					agent: 'x',
					yes: true,
				}),
			),
		).toEqual({id: 3, protocol: 1, op: 'disable', agent: 'x', yes: true});
		// Only `true` confirms.
		expect(
			parseRequest(
				JSON.stringify({id: 3, protocol: 1, op: 'pause', yes: 'yes'}),
			),
		).toEqual({id: 3, protocol: 1, op: 'pause'});
	});

	test('what cannot be a request says why, with its id when it had one', () => {
		expect(parseRequest('{')).toEqual({invalid: 'not a JSON line'});
		expect(parseRequest('[1]')).toEqual({invalid: 'not a JSON object'});
		expect(parseRequest('{"op":"pause"}')).toEqual({invalid: 'no request id'});
		expect(
			parseRequest(JSON.stringify({id: 1, protocol: 1, op: 'rm -rf'})),
		).toEqual({id: 1, invalid: 'unknown request "rm -rf"'});
		expect(
			parseRequest(
				JSON.stringify({id: 1, protocol: 1, op: 'cancel', agent: 5}),
			),
		).toEqual({id: 1, invalid: 'agent must be a string'});
	});

	test('another protocol version is refused with both versions named', () => {
		const reply = parseRequest(
			JSON.stringify({id: 9, protocol: 2, op: 'status'}),
		);
		expect(reply).toEqual({
			id: 9,
			invalid: `this engine speaks control protocol ${controlProtocolVersion}, the client 2: use the same moondev-tui version for both`,
		});
	});
});
