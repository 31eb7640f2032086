import {describe, expect, test} from 'vitest';
import {
	handleRequest,
	type RequestContext,
} from '../../source/control/handle-request.js';
import type {ControlOp, ReplyBody} from '../../source/control/protocol.js';
import {reduce} from '../../source/store/reduce.js';
import {type AppState, createInitialState} from '../../source/store/state.js';
import {buildConfig} from '../helpers/index.js';

function setUp(state?: (initial: AppState) => AppState) {
	const config = buildConfig({
		agents: {
			risk: {command: ['true'], critical: true, enabled: true},
			news: {command: ['true'], enabled: true},
			idle: {command: ['true']},
		},
	});
	const initial = createInitialState(config);
	const view = state ? state(initial) : initial;
	const calls: string[] = [];
	let stops = 0;
	const context: RequestContext = {
		controls: {
			pause() {
				calls.push('pause');
			},
			resume() {
				calls.push('resume');
			},
			forceCycle() {
				calls.push('force');
			},
			setEnabled(agent, enabled) {
				calls.push(`${agent}=${String(enabled)}`);
			},
			cancelAgent(agent) {
				calls.push(`cancel ${agent}`);
				return view.agents[agent]?.status === 'running';
			},
		},
		view: () => view,
		engine: {pid: 42, version: '9.9.9', metricsFolder: '/m'},
		held: () => ['the lock of /m'],
		requestStop() {
			stops++;
		},
		reload: () => ({ok: false, error: 'no reload here'}),
	};
	const ask = async (
		op: ControlOp,
		fields: {agent?: string; yes?: boolean} = {},
	): Promise<ReplyBody> =>
		handleRequest({id: 1, protocol: 1, op, ...fields}, context);
	return {ask, calls, stops: () => stops};
}

const at = '2026-11-25T10:00:00.000Z';

describe('handleRequest', () => {
	test('status carries the state a screen shows, the engine and what holds it', async () => {
		const {ask} = setUp(state =>
			reduce(state, {type: 'cycle_start', time: at, cycle: 7}),
		);
		const reply = await ask('status');
		expect(reply.ok && reply.status).toMatchObject({
			pid: 42,
			version: '9.9.9',
			metrics_folder: '/m',
			held: ['the lock of /m'],
			cycle: {number: 7, running: true, paused: false, next_run: null},
			agents: [
				{name: 'risk', critical: true, enabled: true, status: 'queued'},
				{name: 'news', critical: false, enabled: true, status: 'queued'},
				{name: 'idle', enabled: false, status: 'disabled'},
			],
		});
	});

	test('attach is the control server’s to answer (snapshot and subscription in one step)', async () => {
		const {ask} = setUp();
		expect(await ask('attach')).toEqual({
			ok: false,
			error: 'attach is answered by the control server',
		});
	});

	test('pause and resume act once, and say so when there is nothing to do', async () => {
		const running = setUp();
		expect(await running.ask('pause')).toMatchObject({ok: true});
		expect(await running.ask('resume')).toEqual({
			ok: true,
			message: 'not paused',
		});
		expect(running.calls).toEqual(['pause']);

		const paused = setUp(state =>
			reduce(state, {
				type: 'schedule',
				time: at,
				paused: true,
				next_run: null,
				forced: false,
			}),
		);
		expect(await paused.ask('pause')).toEqual({
			ok: true,
			message: 'already paused',
		});
		expect(await paused.ask('resume')).toEqual({ok: true, message: 'resumed'});
		expect(paused.calls).toEqual(['resume']);
	});

	test('force says whether the cycle starts now or after the running one', async () => {
		const idle = setUp();
		expect(await idle.ask('force')).toEqual({
			ok: true,
			message: 'a cycle starts now',
		});
		const busy = setUp(state =>
			reduce(state, {type: 'cycle_start', time: at, cycle: 3}),
		);
		expect(await busy.ask('force')).toEqual({
			ok: true,
			message: 'a cycle starts right after cycle 3',
		});
		expect([...idle.calls, ...busy.calls]).toEqual(['force', 'force']);
	});

	test('turning off a critical agent needs --yes, and is then for the next cycle only', async () => {
		const {ask, calls} = setUp();
		const refused = await ask('disable', {agent: 'risk'});
		expect(refused).toMatchObject({ok: false});
		expect(!refused.ok && refused.error).toContain('Add --yes');
		expect(calls).toEqual([]);

		expect(await ask('disable', {agent: 'risk', yes: true})).toEqual({
			ok: true,
			message: 'turned off critical risk for the next cycle only',
		});
		expect(calls).toEqual(['risk=false']);
	});

	test('enable and disable name the agent, refuse an unknown one, and do nothing twice', async () => {
		const {ask, calls} = setUp();
		expect(await ask('disable', {agent: 'news'})).toMatchObject({ok: true});
		expect(await ask('enable', {agent: 'news'})).toEqual({
			ok: true,
			message: 'news is already enabled',
		});
		expect(await ask('enable', {agent: 'idle'})).toEqual({
			ok: true,
			message: 'enabled idle',
		});
		const unknown = await ask('enable', {agent: 'nosuch'});
		expect(!unknown.ok && unknown.error).toBe(
			'no agent named "nosuch" (agents: risk, news, idle)',
		);
		// An own-key lookup: a name from Object.prototype is no agent.
		expect(await ask('enable', {agent: 'constructor'})).toMatchObject({
			ok: false,
		});
		expect(await ask('cancel')).toMatchObject({
			ok: false,
			error: 'cancel: which agent? (cancel <agent>)',
		});
		expect(calls).toEqual(['news=false', 'idle=true']);
	});

	test('cancel is refused for an agent that is not running', async () => {
		const idle = setUp();
		expect(await idle.ask('cancel', {agent: 'news'})).toEqual({
			ok: false,
			error: 'news is not running: nothing to cancel',
		});
		const running = setUp(state =>
			reduce(state, {
				type: 'agent_start',
				time: at,
				cycle: 1,
				agent: 'news',
				attempt: 1,
			}),
		);
		expect(await running.ask('cancel', {agent: 'news'})).toEqual({
			ok: true,
			message: "cancelled news's running attempt",
		});
	});

	test('stop replies first and asks the process to stop right after', async () => {
		const {ask, stops} = setUp();
		expect(await ask('stop')).toEqual({ok: true, message: 'stopping'});
		expect(stops()).toBe(0);
		await new Promise(resolve => {
			setImmediate(resolve);
		});
		expect(stops()).toBe(1);
	});

	test('reload is the context’s', async () => {
		const {ask} = setUp();
		expect(await ask('reload')).toEqual({ok: false, error: 'no reload here'});
	});
});
