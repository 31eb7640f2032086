import {useStdout} from 'ink';
import {useEffect, useState} from 'react';

export type TerminalSize = {readonly columns: number; readonly rows: number};

/**
The terminal's size, kept current on resize. `rows` is one short of the terminal: Ink 6 clears
the whole screen on every frame once the output is as tall as the terminal (ink#450). Falls back
to 80×24 where the stream has no size (ink-testing-library's stdout has only columns).
*/
export function useTerminalSize(): TerminalSize {
	const {stdout} = useStdout();
	const read = (): TerminalSize => ({
		columns: stdout.columns || 80,
		rows: Math.max(1, (stdout.rows || 24) - 1),
	});
	const [size, setSize] = useState(read);
	useEffect(() => {
		const onResize = () => {
			setSize(read());
		};

		stdout.on('resize', onResize);
		return () => {
			stdout.off('resize', onResize);
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps -- read only depends on stdout
	}, [stdout]);
	return size;
}
