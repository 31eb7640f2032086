import {z} from 'zod';

/*
The config file format (contract §3), one zod schema that both the loader validates with and
`moondev.schema.json` is generated from, so the editor's view and the loader's never drift.
Every message says what was expected and what arrived, because the loader prefixes it with the
file and the key path.
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

const positiveNumber = () =>
	z
		.number({error: expected('a positive number')})
		.positive({error: expected('a positive number')});

const nonNegativeNumber = () =>
	z
		.number({error: expected('a number >= 0')})
		.min(0, {error: expected('a number >= 0')});

const nonNegativeInteger = () =>
	z
		.number({error: expected('a whole number >= 0')})
		.int({error: expected('a whole number >= 0')})
		.min(0, {error: expected('a whole number >= 0')});

const positiveInteger = () =>
	z
		.number({error: expected('a whole number >= 1')})
		.int({error: expected('a whole number >= 1')})
		.min(1, {error: expected('a whole number >= 1')});

const boolean = () => z.boolean({error: expected('true or false')});

const nonEmptyString = () =>
	z
		.string({error: expected('a string')})
		.min(1, {error: expected('a non-empty string')});

/** A path, or a list of paths, of dotenv files. */
const envFileSchema = z.union([nonEmptyString(), z.array(nonEmptyString())], {
	error: expected('a path or a list of paths'),
});

/** Agent names become file names (logs/<agent>.log) and metric keys, so keep them plain. */
export const agentNamePattern = /^[\w\-]+$/v;

const agentNameSchema = z
	.string({error: expected('an agent name')})
	.regex(agentNamePattern, {
		error: expected('an agent name of letters, digits, _ and -'),
	});

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

const whenSchema = z
	.strictObject({
		hours: z
			.string({error: expected('hours as "H-H", e.g. "9-16"')})
			.regex(/^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/v, {
				error: expected('hours as "H-H" with 0-23, e.g. "9-16"'),
			})
			.optional()
			.describe(
				'Local hours, inclusive, e.g. "9-16" (9:00 to 16:59); "22-2" wraps midnight.',
			),
		days: z
			.array(
				z.enum(weekDays, {error: expected(`one of ${weekDays.join(', ')}`)}),
			)
			.optional()
			.describe('Local week days the agent may run on.'),
	})
	.describe(
		'Run only inside this window (local time); outside it the agent is skipped.',
	);

const commandSchema = z.union(
	[
		nonEmptyString(),
		z
			.array(z.string({error: expected('a string')}))
			.min(1, {error: expected('a non-empty list')}),
	],
	{error: expected('an argv list or a command string')},
);

export const agentSchema = z
	.strictObject({
		command: commandSchema.describe(
			'argv list, or a string split like a shell splits words (quotes honoured) but never run through a shell. "node" as the first word is the Node that runs moondev-tui.',
		),
		enabled: boolean().default(false).describe('Run this agent in cycles.'),
		critical: boolean()
			.default(false)
			.describe('Runs first, one at a time, with retries; can halt the cycle.'),
		retries: nonNegativeInteger()
			.optional()
			.describe(
				'Retries after a failed attempt. Default: maxRetries for critical agents, 0 for the rest.',
			),
		timeout: positiveNumber().optional().describe('Seconds per attempt.'),
		env: z
			.record(z.string(), z.string({error: expected('a string value')}), {
				error: expected('an object of strings'),
			})
			.optional()
			.describe(
				'Variables added to the inherited environment, after the env files.',
			),
		envFile: envFileSchema
			.optional()
			.describe("dotenv files for this agent only, after the orchestrator's."),
		cwd: nonEmptyString()
			.optional()
			.describe("Working folder. Default: the config's base folder."),
		description: z.string({error: expected('a string')}).optional(),
		dependsOn: z
			.array(agentNameSchema)
			.optional()
			.describe(
				'Agents that must have succeeded in this cycle, else this one is skipped.',
			),
		when: whenSchema.optional(),
		requireHealthy: z
			.array(agentNameSchema)
			.optional()
			.describe(
				'Agents whose health must not be unhealthy, else this one is skipped.',
			),
		onFailure: z
			.enum(['halt', 'continue'], {error: expected('"halt" or "continue"')})
			.optional()
			.describe(
				'Critical agents only: what a failure after the retries does. Default "halt".',
			),
		haltExitCode: z
			.number({error: expected('an exit code')})
			.int({error: expected('an exit code')})
			.min(1, {error: expected('an exit code from 1 to 255')})
			.max(255, {error: expected('an exit code from 1 to 255')})
			.optional()
			.describe('An exit code that means "halt the cycle".'),
	})
	.describe('One agent: a program run once per cycle.');

export const orchestratorSchema = z
	.strictObject({
		maxRetries: nonNegativeInteger()
			.default(3)
			.describe('Retries of a critical agent.'),
		timeoutPerAgent: positiveNumber()
			.default(300)
			.describe('Seconds per attempt.'),
		backoffMultiplier: z
			.number({error: expected('a number >= 1')})
			.min(1, {error: expected('a number >= 1')})
			.default(2)
			.describe('Retry k waits backoffBaseSeconds × backoffMultiplier^k.'),
		backoffBaseSeconds: nonNegativeNumber().default(1),
		maxWorkers: positiveInteger()
			.default(4)
			.describe('Agents at once in a parallel phase.'),
		killGraceSeconds: nonNegativeNumber()
			.default(5)
			.describe('Seconds between SIGTERM and SIGKILL.'),
		sleepBetweenRunsMinutes: nonNegativeNumber().default(15),
		enableMonitoring: boolean().default(true),
		enableHealthChecks: boolean().default(true),
		metricsExportDir: nonEmptyString().default('data/orchestrator'),
		metricsRetention: nonNegativeInteger()
			.default(1000)
			.describe('Metrics files kept; 0 keeps all.'),
		healthWindow: positiveInteger()
			.default(20)
			.describe('Executions per agent that health is computed over.'),
		envFile: envFileSchema
			.optional()
			.describe('dotenv files whose variables every agent gets (API keys).'),
	})
	.describe('How cycles run.');

export const phaseSchema = z.strictObject({
	name: nonEmptyString(),
	agents: z.array(agentNameSchema, {error: expected('a list of agent names')}),
	mode: z
		.enum(['sequential', 'parallel'], {
			error: expected('"sequential" or "parallel"'),
		})
		.default('parallel'),
	timeoutPerAgent: positiveNumber().optional(),
});

export const configSchema = z
	.strictObject({
		$schema: z.string({error: expected('a string')}).optional(),
		orchestrator: orchestratorSchema.prefault({}),
		agents: z.record(agentNameSchema, agentSchema, {
			error: expected('an object of agents'),
		}),
		phases: z
			.array(phaseSchema, {error: expected('a list of phases')})
			.min(1, {error: expected('at least one phase')})
			.optional()
			.describe(
				'Custom phases that replace the default critical-then-parallel two.',
			),
	})
	.describe('moondev-tui config');

/** The config as written, with the defaults filled in. */
export type ConfigFile = z.output<typeof configSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
export type OrchestratorConfig = z.output<typeof orchestratorSchema>;
export type PhaseConfig = z.output<typeof phaseSchema>;
