import * as z from 'zod/mini';
import {everyPattern, everySeconds} from './schedule.js';

/*
The config file format (contract §3), one zod schema that both the loader validates with and
`moondev.schema.json` is generated from, so the editor's view and the loader's never drift.
Every message says what was expected and what arrived, because the loader prefixes it with the
file and the key path. zod/mini rather than zod: the same validation, a tenth of the bundle, and
the bundle's size is most of the CLI's start-up. One piece past 300 lines because it is one
format: the agents', phases' and orchestrator's keys refer to each other's defaults and messages.
*/

const describeInput = (input: unknown): string => {
	if (input === undefined) {
		return 'nothing';
	}

	const text = JSON.stringify(input) ?? typeof input;
	return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

const expected =
	(what: string) =>
	(issue: {readonly input?: unknown}): string =>
		`expected ${what}, got ${describeInput(issue.input)}`;

const number = (what: string, ...checks: Array<z.core.$ZodCheck<number>>) =>
	z.number({error: expected(what)}).check(...checks);

const nonNegativeNumber = () => {
	const error = expected('a number >= 0');
	return number('a number >= 0', z.gte(0, {error}));
};

/** Node's timers hold at most 2^31 − 1 ms (24.8 days); past that they fire at once. */
export const maxTimerSeconds = 2_147_483;

/** Seconds a timer waits: positive (or >= 0), and no longer than a timer can. */
const timerSeconds = (allowZero: boolean) => {
	const what = allowZero ? 'a number >= 0' : 'a positive number';
	const error = expected(what);
	return number(
		what,
		allowZero ? z.gte(0, {error}) : z.positive({error}),
		z.lte(maxTimerSeconds, {
			error: expected(`at most ${maxTimerSeconds} seconds (24.8 days)`),
		}),
	);
};

const wholeNumber = (minimum: number) => {
	const error = expected(`a whole number >= ${minimum}`);
	return z.int({error}).check(z.gte(minimum, {error}));
};

const boolean = () => z.boolean({error: expected('true or false')});

const nonEmptyString = () =>
	z
		.string({error: expected('a string')})
		.check(z.minLength(1, {error: expected('a non-empty string')}));

/** Attaches a description that the generated JSON Schema shows in editors. */
const described = <T extends z.core.$ZodType>(
	schema: T,
	description: string,
): T => {
	z.globalRegistry.add(schema, {description});
	return schema;
};

/** A path, or a list of paths, of dotenv files. */
const envFileSchema = z.union([nonEmptyString(), z.array(nonEmptyString())], {
	error: expected('a path or a list of paths'),
});

/** The one name JavaScript itself swallows as an object key; every other plain name works. */
export const reservedAgentName = '__proto__';
export const reservedNameMessage =
	'"__proto__" is reserved by JavaScript: choose another agent name';

/** Agent names become file names (logs/<agent>.log) and metric keys, so keep them plain. */
export const agentNamePattern = /^[\w\-]+$/v;

const agentNameSchema = z.string({error: expected('an agent name')}).check(
	z.regex(agentNamePattern, {
		error: expected('an agent name of letters, digits, _ and -'),
	}),
	z.refine(name => name !== reservedAgentName, {error: reservedNameMessage}),
);

export const weekDays = [
	'sun',
	'mon',
	'tue',
	'wed',
	'thu',
	'fri',
	'sat',
] as const;

export type WeekDay = (typeof weekDays)[number];

const whenSchema = described(
	z.strictObject({
		hours: z.optional(
			described(
				z.string({error: expected('hours as "H-H", e.g. "9-16"')}).check(
					z.regex(/^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/v, {
						error: expected('hours as "H-H" with 0-23, e.g. "9-16"'),
					}),
				),
				'Local hours, inclusive, e.g. "9-16" (9:00 to 16:59); "22-2" wraps midnight.',
			),
		),
		days: z.optional(
			described(
				z.array(
					z.enum(weekDays, {error: expected(`one of ${weekDays.join(', ')}`)}),
				),
				'Local week days the agent may run on.',
			),
		),
	}),
	'Run only inside this window (local time); outside it the agent is skipped.',
);

const commandSchema = z.union(
	[
		nonEmptyString(),
		z
			.array(z.string({error: expected('a string')}))
			.check(z.minLength(1, {error: expected('a non-empty list')})),
	],
	{error: expected('an argv list or a command string')},
);

const agentNames = (description: string) =>
	z.optional(
		described(
			z.array(agentNameSchema, {error: expected('a list of agent names')}),
			description,
		),
	);

/** The Redis URL's error never quotes it: it may hold a password. */
const redisUrlError = () =>
	'expected a redis:// or rediss:// URL (the value is not shown: it may hold a password)';

/** A worker tag (`runOn`, `worker --tags`): plain words, safe in keys and messages. */
export const workerTagPattern = /^[\w\-]{1,64}$/v;

export const workersSchema = described(
	z.strictObject({
		redis: described(
			z
				.string({error: redisUrlError})
				.check(z.minLength(1, {error: redisUrlError})),
			'The Redis URL, e.g. "${MOONDEV_REDIS_URL}" (${NAME} from orchestrator.envFile or the environment). A secret: never shown.',
		),
		queue: z._default(
			described(
				z.string({error: expected('a queue name')}).check(
					z.regex(workerTagPattern, {
						error: expected('a queue name: letters, digits, "_" and "-"'),
					}),
				),
				'The queue the engine and its workers share; one engine per queue.',
			),
			'moondev',
		),
	}),
	'Run agents with runOn on workers through Redis (BullMQ): contract §10.',
);

export const agentSchema = described(
	z.strictObject({
		command: described(
			commandSchema,
			'argv list, or a string split like a shell splits words (quotes honoured) but never run through a shell. "node" as the first word is the Node that runs moondev-tui.',
		),
		enabled: z._default(
			described(boolean(), 'Run this agent in cycles.'),
			false,
		),
		critical: z._default(
			described(
				boolean(),
				'Runs first, one at a time, with retries; can halt the cycle.',
			),
			false,
		),
		retries: z.optional(
			described(
				wholeNumber(0),
				'Retries after a failed attempt. Default: maxRetries for critical agents, 0 for the rest.',
			),
		),
		timeout: z.optional(described(timerSeconds(false), 'Seconds per attempt.')),
		env: z.optional(
			described(
				// Env values are secrets: these messages never quote what was written.
				z.record(z.string(), z.string({error: 'expected a string value'}), {
					error: 'expected an object of strings',
				}),
				'Variables added to the inherited environment, after the env files.',
			),
		),
		envFile: z.optional(
			described(
				envFileSchema,
				"dotenv files for this agent only, after the orchestrator's.",
			),
		),
		cwd: z.optional(
			described(
				nonEmptyString(),
				"Working folder. Default: the config's base folder.",
			),
		),
		description: z.optional(z.string({error: expected('a string')})),
		dependsOn: agentNames(
			'Agents that must have succeeded in this cycle, else this one is skipped.',
		),
		when: z.optional(whenSchema),
		requireHealthy: agentNames(
			'Agents whose health must not be unhealthy, else this one is skipped.',
		),
		onFailure: z.optional(
			described(
				z.enum(['halt', 'continue'], {error: expected('"halt" or "continue"')}),
				'Critical agents only: what a failure after the retries does. Default "halt".',
			),
		),
		requireVerdict: z.optional(
			described(
				boolean(),
				'Critical agents: must say pass or halt before exiting 0, else the cycle halts ("gave no verdict").',
			),
		),
		every: z.optional(
			described(
				z
					.string({
						error: expected('a duration such as "30s", "5m", "1h", "1d"'),
					})
					.check(
						z.regex(everyPattern, {
							error: expected(
								'a positive whole number and a unit (s, m, h, d), e.g. "30s", "5m", "1h", "1d"',
							),
						}),
						z.refine(
							text =>
								!everyPattern.test(text) ||
								everySeconds(text) <= maxTimerSeconds,
							{
								error: expected(
									`at most ${maxTimerSeconds} seconds (24.8 days)`,
								),
							},
						),
					),
				'Non-critical agents only: run only when this long has passed since its last start ("30s", "5m", "1h", "1d"); not due, it is not_due. Not with cron.',
			),
		),
		cron: z.optional(
			described(
				nonEmptyString(),
				'Non-critical agents only: run only when this 5-field cron expression (minute hour day-of-month month day-of-week, local time) has fired since its last start; not due, it is not_due. Not with every.',
			),
		),
		runOn: z.optional(
			described(
				z.string({error: expected('a worker tag such as "gpu"')}).check(
					z.regex(workerTagPattern, {
						error: expected(
							'a worker tag: letters, digits, "_" and "-", e.g. "gpu"',
						),
					}),
				),
				'Run this agent on a worker (`moondev-tui worker --tags …`) that carries this tag, through orchestrator.workers (contract §10).',
			),
		),
		haltExitCode: z.optional(
			described(
				z
					.int({error: expected('an exit code from 1 to 255')})
					.check(
						z.gte(1, {error: expected('an exit code from 1 to 255')}),
						z.lte(255, {error: expected('an exit code from 1 to 255')}),
					),
				'An exit code that means "halt the cycle".',
			),
		),
	}),
	'One agent: a program run once per cycle.',
);

export const orchestratorSchema = described(
	z.strictObject({
		maxRetries: z._default(
			described(wholeNumber(0), 'Retries of a critical agent.'),
			3,
		),
		timeoutPerAgent: z._default(
			described(timerSeconds(false), 'Seconds per attempt.'),
			300,
		),
		backoffMultiplier: z._default(
			described(
				number('a number >= 1', z.gte(1, {error: expected('a number >= 1')})),
				'Retry k waits backoffBaseSeconds × backoffMultiplier^k.',
			),
			2,
		),
		backoffBaseSeconds: z._default(nonNegativeNumber(), 1),
		maxWorkers: z._default(
			described(wholeNumber(1), 'Agents at once in a parallel phase.'),
			4,
		),
		killGraceSeconds: z._default(
			described(timerSeconds(true), 'Seconds between SIGTERM and SIGKILL.'),
			5,
		),
		sleepBetweenRunsMinutes: z._default(nonNegativeNumber(), 15),
		enableMonitoring: z._default(boolean(), true),
		enableHealthChecks: z._default(boolean(), true),
		metricsExportDir: z._default(nonEmptyString(), 'data/orchestrator'),
		promFile: z.optional(
			described(
				z.string({error: expected('a path ending in .prom')}).check(
					z.regex(/[^\/]\.prom$/v, {
						error: expected(
							"a file path ending in .prom (node_exporter's textfile collector reads only *.prom)",
						),
					}),
				),
				"Where the Prometheus textfile is written, e.g. /var/lib/node_exporter/textfile_collector/moondev.prom (node_exporter's --collector.textfile.directory). Default: moondev.prom in metricsExportDir.",
			),
		),
		metricsRetention: z._default(
			described(wholeNumber(0), 'Metrics files kept; 0 keeps all.'),
			1000,
		),
		healthWindow: z._default(
			described(
				wholeNumber(1),
				'Executions per agent that health is computed over.',
			),
			20,
		),
		envFile: z.optional(
			described(
				envFileSchema,
				'dotenv files whose variables every agent gets (API keys).',
			),
		),
		workers: z.optional(workersSchema),
	}),
	'How cycles run.',
);

export const phaseSchema = z.strictObject({
	name: nonEmptyString(),
	agents: z.array(agentNameSchema, {error: expected('a list of agent names')}),
	mode: z._default(
		z.enum(['sequential', 'parallel'], {
			error: expected('"sequential" or "parallel"'),
		}),
		'parallel',
	),
	timeoutPerAgent: z.optional(timerSeconds(false)),
});

const requestSeconds = () => {
	const error = expected('a number of seconds from 0.1 to 60');
	return number(
		'a number of seconds from 0.1 to 60',
		z.gte(0.1, {error}),
		z.lte(60, {error}),
	);
};

const alertLevel = () =>
	z.enum(['info', 'warning', 'critical'], {
		error: expected('"info", "warning" or "critical"'),
	});

/** A secret's error: what was expected, never what was written (a webhook URL holds its token). */
const secretError = (what: string) => () =>
	`expected ${what} (the value is not shown: it may hold a token)`;

export const notifyTargetSchema = z.strictObject({
	url: described(
		z
			.string({error: secretError('a URL string')})
			.check(z.minLength(1, {error: secretError('a non-empty URL')})),
		'The webhook URL; ${NAME} takes a value from orchestrator.envFile or the environment. A secret: only its host is ever shown.',
	),
	format: z.enum(['json', 'slack', 'discord', 'telegram', 'heartbeat'], {
		error: expected('"json", "slack", "discord", "telegram" or "heartbeat"'),
	}),
	minLevel: z._default(
		described(alertLevel(), 'Alerts below this level are not sent.'),
		'warning',
	),
	events: z._default(
		described(
			z.array(
				z.enum(['alert', 'halt', 'cycle_end', 'engine_start', 'engine_stop'], {
					error: expected(
						'"alert", "halt", "cycle_end", "engine_start" or "engine_stop"',
					),
				}),
				{error: expected('a list of event names')},
			),
			'What the target gets; a halt is one critical alert, sent once.',
		),
		['alert'],
	),
	chatId: z.optional(
		described(
			z.union(
				[
					z
						.string({error: secretError('a chat id')})
						.check(z.minLength(1, {error: secretError('a chat id')})),
					z.int({error: secretError('a chat id')}),
				],
				{error: secretError('a chat id (a number or a string)')},
			),
			"Telegram's chat id (required with format telegram); ${NAME} works here too.",
		),
	),
	timeoutSeconds: z._default(
		described(requestSeconds(), 'How long one request may take.'),
		5,
	),
	maxPerMinute: z._default(
		described(
			wholeNumber(1),
			'Non-critical notifications sent per minute at most; critical alerts and halts are never held back.',
		),
		20,
	),
});

export const configSchema = described(
	z.strictObject({
		$schema: z.optional(z.string({error: expected('a string')})),
		orchestrator: z.prefault(orchestratorSchema, {}),
		agents: z.record(agentNameSchema, agentSchema, {
			error: expected('an object of agents'),
		}),
		phases: z.optional(
			described(
				z
					.array(phaseSchema, {error: expected('a list of phases')})
					.check(z.minLength(1, {error: expected('at least one phase')})),
				'Custom phases that replace the default critical-then-parallel two.',
			),
		),
		notify: z.optional(
			described(
				z.array(notifyTargetSchema, {
					error: expected('a list of notify targets'),
				}),
				'Where alerts are sent: Slack, Discord, Telegram, any JSON receiver, a heartbeat URL.',
			),
		),
	}),
	'moondev-tui config',
);

/** The config as written, with the defaults filled in. */
export type ConfigFile = z.output<typeof configSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
export type OrchestratorConfig = z.output<typeof orchestratorSchema>;
export type NotifyTargetConfig = z.output<typeof notifyTargetSchema>;
export type PhaseConfig = z.output<typeof phaseSchema>;
