import type {EngineEvent} from '../contract/events.js';
import type {AppState} from '../store/state.js';
import type {EngineStatus} from './engine-status.js';

/*
The control socket's protocol (contract §8): JSON lines both ways. The engine speaks first with a
hello that carries the protocol's version, so a client of another version says so instead of
misreading. No message carries an env value or a notify URL: the state and the events never hold
them.
*/

export const controlProtocolVersion = 1;

/** A line longer than this from a client is cut and then refused, so no client can grow memory. */
export const maxRequestBytes = 64 * 1024;

export type ControlOp =
	| 'status'
	| 'attach'
	| 'pause'
	| 'resume'
	| 'force'
	| 'stop'
	| 'reload'
	| 'enable'
	| 'disable'
	| 'cancel';

export const controlOps: ReadonlySet<string> = new Set<ControlOp>([
	'status',
	'attach',
	'pause',
	'resume',
	'force',
	'stop',
	'reload',
	'enable',
	'disable',
	'cancel',
]);

export type ControlRequest = {
	readonly id: number;
	readonly protocol: number;
	readonly op: ControlOp;
	/** For enable, disable and cancel. */
	readonly agent?: string;
	/** Turning off a critical agent: confirmed (it is then off for the next cycle only). */
	readonly yes?: boolean;
};

export type Hello = {
	readonly kind: 'hello';
	readonly protocol: number;
	/** The version of moondev-tui the engine runs. */
	readonly version: string;
	readonly pid: number;
	/** The config's name as the screen shows it. */
	readonly config: string;
	readonly metricsFolder: string;
};

export type Reply =
	| {
			readonly kind: 'reply';
			readonly id: number;
			readonly ok: true;
			/** What was done, for a person. */
			readonly message?: string;
			readonly status?: EngineStatus;
			/** `attach`: the state now; events follow on the same connection. */
			readonly snapshot?: AppState;
	  }
	| {
			readonly kind: 'reply';
			readonly id: number;
			readonly ok: false;
			/** Why the engine refused. */
			readonly error: string;
	  };

export type EventMessage = {
	readonly kind: 'event';
	readonly event: EngineEvent;
};

export type ServerMessage = Hello | Reply | EventMessage;

/** A reply's body, as the engine's handler gives it. */
export type ReplyBody =
	| {
			readonly ok: true;
			readonly message?: string;
			readonly status?: EngineStatus;
			readonly snapshot?: AppState;
	  }
	| {readonly ok: false; readonly error: string};

/** A request read from a line, or why it cannot be one. */
export function parseRequest(
	line: string,
): ControlRequest | {readonly invalid: string; readonly id?: number} {
	let data: unknown;
	try {
		data = JSON.parse(line);
	} catch {
		return {invalid: 'not a JSON line'};
	}

	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		return {invalid: 'not a JSON object'};
	}

	const {id, protocol, op, agent, yes} = data as Record<string, unknown>;
	if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
		return {invalid: 'no request id'};
	}

	if (protocol !== controlProtocolVersion) {
		return {
			id,
			invalid: `this engine speaks control protocol ${controlProtocolVersion}, the client ${String(protocol)}: use the same moondev-tui version for both`,
		};
	}

	if (typeof op !== 'string' || !controlOps.has(op)) {
		return {id, invalid: `unknown request ${JSON.stringify(op)}`};
	}

	if (agent !== undefined && typeof agent !== 'string') {
		return {id, invalid: 'agent must be a string'};
	}

	return {
		id,
		protocol,
		op: op as ControlOp,
		...(agent === undefined ? {} : {agent}),
		...(yes === true ? {yes: true} : {}),
	};
}
