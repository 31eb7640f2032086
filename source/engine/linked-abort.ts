/**
Makes `controller` abort when `source` does (at once if it has already), until the returned
function unlinks them. For a short-lived controller tied to a long-lived signal (an agent's cancel
and the engine's stop): `AbortSignal.any` does the same, but on Node 20 every signal it makes stays
reachable from its sources for as long as they live, so one call per agent per cycle grows the
heap for good. Here the one listener on `source` goes when the agent is done.
*/
export function linkAbort(
	controller: AbortController,
	source: AbortSignal,
): () => void {
	if (source.aborted) {
		controller.abort(source.reason);
		return () => {
			// Nothing was added to `source`.
		};
	}

	const onAbort = () => {
		controller.abort(source.reason);
	};

	source.addEventListener('abort', onAbort, {once: true});
	return () => {
		source.removeEventListener('abort', onAbort);
	};
}
