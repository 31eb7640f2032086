/** Enters the alternate screen and hides the cursor; the returned function undoes both, once. */
export function enterFullScreen(stream: NodeJS.WriteStream): () => void {
	stream.write('\u001B[?1049h\u001B[?25l');
	let restored = false;
	return () => {
		if (!restored) {
			restored = true;
			stream.write('\u001B[?25h\u001B[?1049l');
		}
	};
}
