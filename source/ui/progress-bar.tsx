import {Text} from 'ink';
import {tint} from './theme.js';

export type ProgressBarProps = {
	/** 0–100; undefined when nothing is known (then an empty track). */
	readonly percent: number | undefined;
	/** Drawn from the agent's average duration, not reported by it: shaded, with "~". */
	readonly isEstimate: boolean;
	/** Cells of the bar, the label not included. */
	readonly width: number;
};

/**
A progress bar with its percent. A reported percent fills with █; an estimate fills with ▒ and
reads "~37%", so it can be told apart without colour.
*/
export function ProgressBar({percent, isEstimate, width}: ProgressBarProps) {
	if (percent === undefined) {
		return (
			<Text dimColor>
				{'░'.repeat(width)}
				{'     '}
			</Text>
		);
	}

	const clamped = Math.max(0, Math.min(100, percent));
	const filled = Math.round((clamped / 100) * width);
	const label = `${isEstimate ? '~' : ''}${Math.round(clamped)}%`.padStart(5);
	return (
		<Text>
			<Text {...tint(isEstimate ? 'blue' : 'cyan')}>
				{(isEstimate ? '▒' : '█').repeat(filled)}
			</Text>
			<Text dimColor>{'░'.repeat(width - filled)}</Text>
			<Text>{label}</Text>
		</Text>
	);
}
