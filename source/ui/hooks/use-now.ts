import {useEffect, useReducer} from 'react';

/**
The time, re-rendering every `intervalMs` while `active` (something runs, or a countdown shows)
and not at all otherwise: an idle screen does no work. The time is read at each render, so it is
fresh the moment `active` turns on, not a tick late.
*/
export function useNow(active: boolean, intervalMs = 1000): number {
	const [, tick] = useReducer((count: number) => count + 1, 0);
	useEffect(() => {
		if (!active) {
			return;
		}

		const timer = setInterval(tick, intervalMs);
		return () => {
			clearInterval(timer);
		};
	}, [active, intervalMs]);
	// eslint-disable-next-line react-hooks/purity -- reading the clock is what this hook is for
	return Date.now();
}
