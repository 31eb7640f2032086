import {Cron, CronPattern} from 'croner';

/*
An agent's schedule (contract §3): `every` (a duration) or `cron` (a 5-field expression, local
time). The cron expressions are read by croner: no dependencies, a third of cron-parser's bundle
(which brings luxon), exactly 5 fields on request, and DST handled. Plain data, so that a reload
compares schedules as it compares every other setting.
*/

export type AgentSchedule =
	| {
			readonly kind: 'every';
			/** As written: "30s", "5m", "1h", "1d". */
			readonly text: string;
			readonly seconds: number;
	  }
	| {readonly kind: 'cron'; readonly text: string};

/** `every`: a whole, positive number of seconds, minutes, hours or days. */
export const everyPattern = /^[1-9]\d*[smhd]$/v;

const unitSeconds = {s: 1, m: 60, h: 3600, d: 86_400} as const;

/** The seconds an `every` value stands for; the schema has checked its shape. */
export function everySeconds(text: string): number {
	const unit = text.at(-1) as keyof typeof unitSeconds;
	return Number(text.slice(0, -1)) * unitSeconds[unit];
}

const fieldNames = [
	'minute',
	'hour',
	'day of month',
	'month',
	'day of week',
] as const;

/**
What is wrong with a cron expression, or undefined: exactly 5 fields (minute, hour, day of month,
month, day of week), each one croner reads, and a time it fires at.
*/
export function cronProblem(expression: string): string | undefined {
	const fields = expression.trim().split(/\s+/v);
	if (fields.length !== 5 || fields[0] === '') {
		return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields[0] === '' ? 0 : fields.length}`;
	}

	// Each field alone, the others "*": the message can name the field that is wrong.
	for (const [index, field] of fields.entries()) {
		const alone = fieldNames.map((_, other) => (other === index ? field : '*'));
		const problem = patternProblem(alone.join(' '));
		if (problem) {
			return `${fieldNames[index]} "${field}": ${problem}`;
		}
	}

	const problem = patternProblem(fields.join(' '));
	if (problem) {
		return problem;
	}

	return cronOf(expression).nextRun(new Date()) === null
		? 'it never fires (no date matches it)'
		: undefined;
}

function patternProblem(pattern: string): string | undefined {
	try {
		// eslint-disable-next-line no-new -- the constructor is the parser: it throws on a mistake
		new CronPattern(pattern, undefined, {mode: '5-part'});
		return undefined;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// "configuration entry 1 (x) contains …": the field is named already, and its index is croner's.
		return message
			.replace(/^CronPattern: /v, '')
			.replace(/^configuration entry \d+ \(.*\) /v, '');
	}
}

/** Parsed expressions, by text: a cycle asks each scheduled agent once. */
const crons = new Map<string, Cron>();

function cronOf(expression: string): Cron {
	let cron = crons.get(expression);
	if (!cron) {
		// No function: nothing is scheduled, the object only computes fire times.
		cron = new Cron(expression.trim(), {mode: '5-part'});
		crons.set(expression, cron);
	}

	return cron;
}

/**
The first fire time strictly after `after` (epoch ms): `after + every`, or the cron expression's
next match in local time. Undefined when a cron expression never fires again.
*/
export function nextFireAfter(
	schedule: AgentSchedule,
	after: number,
): number | undefined {
	if (schedule.kind === 'every') {
		return after + schedule.seconds * 1000;
	}

	return cronOf(schedule.text).nextRun(new Date(after))?.getTime();
}

/**
Whether a scheduled agent is due at `now`: never started, or a fire time has passed since its last
start (for `every`, last start + every <= now). With it, when it is next due (undefined: due now,
or never again).
*/
export function dueState(
	schedule: AgentSchedule,
	lastStart: number | undefined,
	now: number,
): {readonly due: boolean; readonly next: number | undefined} {
	// A start "in the future" is a clock that went back: the agent runs rather than waits for it.
	if (lastStart === undefined || lastStart > now) {
		return {due: true, next: undefined};
	}

	const next = nextFireAfter(schedule, lastStart);
	return next !== undefined && next <= now
		? {due: true, next: undefined}
		: {due: false, next};
}

/**
`every` or `cron`, one of them and never on a critical agent: the risk check runs in every cycle
that may trade (fail closed). A cron expression is read now, so that a mistake is a config error.
*/
export function resolveSchedule(
	agent: {
		readonly critical: boolean;
		readonly every?: string | undefined;
		readonly cron?: string | undefined;
	},
	keyPath: string,
	fail: (keyPath: string, message: string) => Error,
): AgentSchedule | undefined {
	const key = agent.every === undefined ? 'cron' : 'every';
	if (agent.critical && agent[key] !== undefined) {
		throw fail(
			`${keyPath}.${key}`,
			'a critical agent cannot have a schedule: the risk check runs in every cycle that may trade (fail closed); remove it, or make the agent not critical',
		);
	}

	if (agent.every !== undefined && agent.cron !== undefined) {
		throw fail(
			`${keyPath}.cron`,
			'every and cron both set: an agent has one schedule, choose one',
		);
	}

	if (agent.every !== undefined) {
		return {
			kind: 'every',
			text: agent.every,
			seconds: everySeconds(agent.every),
		};
	}

	if (agent.cron === undefined) {
		return undefined;
	}

	const problem = cronProblem(agent.cron);
	if (problem) {
		throw fail(`${keyPath}.cron`, `${JSON.stringify(agent.cron)}: ${problem}`);
	}

	return {kind: 'cron', text: agent.cron.trim().split(/\s+/v).join(' ')};
}

/** "every 1h", "cron 0 9 * * 1-5": a schedule as `validate` and messages show it. */
export function describeSchedule(schedule: AgentSchedule): string {
	return `${schedule.kind} ${schedule.text}`;
}
