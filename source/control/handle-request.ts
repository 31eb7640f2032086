import type {EngineControls} from '../contract/controls.js';
import type {AppState} from '../store/state.js';
import {own} from '../util/own.js';
import {statusOf} from './engine-status.js';
import type {ControlRequest, ReplyBody} from './protocol.js';

export type RequestContext = {
	readonly controls: Omit<EngineControls, 'stop'>;
	/** The state a screen of this engine shows now. */
	readonly view: () => AppState;
	readonly engine: Omit<Parameters<typeof statusOf>[1], 'held'>;
	/** What holds the engine now (lost locks). */
	readonly held: () => readonly string[];
	/** A graceful stop, as a signal would ask, but ending with exit 0. */
	readonly requestStop: () => void;
	/** Reads the config again; the reply says what changed or why it was refused. */
	readonly reload: () => ReplyBody | Promise<ReplyBody>;
};

const refuse = (error: string): ReplyBody => ({ok: false, error});

/**
What the engine does for one request of the control socket: the same controls as the keys, with
the same rules — turning off a critical agent must be confirmed (`--yes`) and lasts one cycle, and
a request that cannot be done is refused with its reason rather than ignored.
*/
export function handleRequest(
	request: ControlRequest,
	context: RequestContext,
): ReplyBody | Promise<ReplyBody> {
	const {controls} = context;
	const state = context.view();
	switch (request.op) {
		case 'status': {
			return {
				ok: true,
				status: statusOf(state, {...context.engine, held: context.held()}),
			};
		}

		case 'attach': {
			// The control server answers it itself, in one step with the subscription.
			return refuse('attach is answered by the control server');
		}

		case 'pause': {
			if (state.cycle.paused) {
				return {ok: true, message: 'already paused'};
			}

			controls.pause();
			return {
				ok: true,
				message: state.cycle.running
					? `paused: cycle ${state.cycle.number} finishes, no new cycle starts until resume`
					: 'paused: no new cycle starts until resume',
			};
		}

		case 'resume': {
			if (!state.cycle.paused) {
				return {ok: true, message: 'not paused'};
			}

			controls.resume();
			return {ok: true, message: 'resumed'};
		}

		case 'force': {
			controls.forceCycle();
			return {
				ok: true,
				message: state.cycle.running
					? `a cycle starts right after cycle ${state.cycle.number}`
					: 'a cycle starts now',
			};
		}

		case 'stop': {
			// After the reply has gone out.
			setImmediate(context.requestStop);
			return {
				ok: true,
				message: state.cycle.running
					? `stopping: the running agents get their grace, then cycle ${state.cycle.number} is recorded`
					: 'stopping',
			};
		}

		case 'reload': {
			return context.reload();
		}

		case 'enable':
		case 'disable':
		case 'cancel': {
			return agentRequest(request, state, controls);
		}
	}
}

function agentRequest(
	request: ControlRequest,
	state: AppState,
	controls: RequestContext['controls'],
): ReplyBody {
	const name = request.agent;
	if (name === undefined || name === '') {
		return refuse(`${request.op}: which agent? (${request.op} <agent>)`);
	}

	const agent = own(state.agents, name);
	if (!agent) {
		return refuse(
			`no agent named "${name}" (agents: ${state.agentOrder.join(', ')})`,
		);
	}

	if (request.op === 'cancel') {
		return controls.cancelAgent(name)
			? {ok: true, message: `cancelled ${name}'s running attempt`}
			: refuse(`${name} is not running: nothing to cancel`);
	}

	const enable = request.op === 'enable';
	if (agent.enabled === enable) {
		return {
			ok: true,
			message: `${name} is already ${enable ? 'enabled' : 'disabled'}`,
		};
	}

	if (!enable && agent.critical && !request.yes) {
		return refuse(
			`${name} is critical: with it off, the next cycle trades without its check. Add --yes to turn it off for the next cycle only`,
		);
	}

	controls.setEnabled(name, enable);
	return {
		ok: true,
		message: enable
			? `enabled ${name}`
			: agent.critical
				? `turned off critical ${name} for the next cycle only`
				: `disabled ${name}: it is skipped from the next phase that has not started`,
	};
}
