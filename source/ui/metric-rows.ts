import type {AppState} from '../store/state.js';
import {escapeControls} from '../util/escape-text.js';

/** One line of the metrics view: an agent's metric as it is now, and how it moved. */
export type MetricRow = {
	readonly agent: string;
	readonly metric: string;
	readonly value: string;
	/** Since the value before it ("+0.002", "−1.5"), empty when there is none yet. */
	readonly change: string;
};

/** Every agent's latest metrics, in agent order and then by name: the table of the `m` view. */
export function metricRows(
	state: Pick<AppState, 'agentOrder' | 'agents'>,
): MetricRow[] {
	return state.agentOrder.flatMap(agent => {
		const history = state.agents[agent]?.metricHistory ?? {};
		return Object.keys(history)
			.toSorted()
			.map(metric => {
				const values = history[metric] ?? [];
				return {
					agent,
					// A metric's name is the agent's words: shown escaped.
					metric: escapeControls(metric),
					value: formatMetric(values.at(-1)),
					change: formatChange(values.at(-2), values.at(-1)),
				};
			});
	});
}

/** A metric as people read it: at most 4 significant digits past the point, no exponent below 1e15. */
export function formatMetric(value: number | undefined): string {
	if (value === undefined) {
		return '';
	}

	if (Number.isInteger(value) || Math.abs(value) >= 1000) {
		return String(Math.round(value));
	}

	return String(Number(value.toPrecision(4)));
}

/** "+0.002", "−1.5" (a real minus), "=" when unchanged, "" without a value before. */
export function formatChange(
	before: number | undefined,
	now: number | undefined,
): string {
	if (before === undefined || now === undefined) {
		return '';
	}

	const change = now - before;
	if (change === 0) {
		return '=';
	}

	const text = formatMetric(Math.abs(change));
	return change > 0 ? `+${text}` : `−${text}`;
}
