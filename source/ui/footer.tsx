import {Text} from 'ink';

export type FooterProps = {
	readonly mode: 'main' | 'log';
	/** A question waiting for y/n, shown instead of the keys. */
	readonly prompt: string | undefined;
	/** A word about the last key, shown instead of the keys until the next one. */
	readonly notice?: string | undefined;
	/** Attached to a running engine: q detaches, S stops the engine. */
	readonly isAttached?: boolean;
};

/** The keys of the current view, or the pending question. */
export function Footer({
	mode,
	prompt,
	notice,
	isAttached = false,
}: FooterProps) {
	if (prompt) {
		return (
			<Text bold color="yellow">
				{prompt} (y/n)
			</Text>
		);
	}

	if (notice) {
		return (
			<Text color="yellow" wrap="truncate">
				{notice}
			</Text>
		);
	}

	return (
		<Text dimColor wrap="truncate">
			{mode === 'log'
				? `↑↓ scroll  PgUp/PgDn page  g/G top/follow  / search  n/N older/newer  esc back  ? help  ${isAttached ? 'q detach' : 'q quit'}`
				: `↑↓ select  space on/off  p pause  f force  ⏎ log  x cancel  ? help  ${isAttached ? 'q detach  S stop engine' : 'q quit'}`}
		</Text>
	);
}
