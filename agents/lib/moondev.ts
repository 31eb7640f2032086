/*
The calls an agent makes to report to moondev-tui, as `::moondev::` lines on stdout
(docs/agent-protocol.md). Each line is written whole and at once. Outside moondev-tui
(MOONDEV_PROTOCOL unset) the same calls print plain words on stderr instead, so an agent run by
hand reads well and its stdout stays clean.
*/
import process from 'node:process';

export type AlertLevel = 'info' | 'warning' | 'critical';

const underMoondev = process.env['MOONDEV_PROTOCOL'] === '1';

function send(message: Record<string, unknown>, plain: string): void {
	if (underMoondev) {
		process.stdout.write(`::moondev::${JSON.stringify(message)}\n`);
	} else {
		process.stderr.write(`${plain}\n`);
	}
}

/** How far along the agent is, 0–100, and what it is doing. */
export function progress(percent: number, message?: string): void {
	send(
		{
			type: 'progress',
			percent: Math.max(0, Math.min(100, percent)),
			...(message === undefined ? {} : {message}),
		},
		`[${Math.round(percent)}%] ${message ?? ''}`.trimEnd(),
	);
}

/** A number to publish: it shows in the metrics file as `<agent>.<name>` and in moondev.prom. */
export function metric(name: string, value: number): void {
	send({type: 'metric', name, value}, `metric ${name} = ${value}`);
}

/** Something a person should see in the alerts panel. */
export function alert(message: string, level: AlertLevel = 'warning'): void {
	send({type: 'alert', level, message}, `[${level}] ${message}`);
}

/** Stops the cycle after this agent (honoured for critical agents). */
export function halt(reason: string): void {
	send({type: 'halt', reason}, `HALT: ${reason}`);
}

/**
The risk check's all-clear: this run checked and found the limits kept. A critical agent with
`requireVerdict` must say `pass` or `halt` before it exits 0, else the cycle halts.
*/
export function pass(message?: string): void {
	send(
		{type: 'pass', ...(message === undefined ? {} : {message})},
		message === undefined ? 'PASS' : `PASS: ${message}`,
	);
}
