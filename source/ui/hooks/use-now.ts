import {useEffect, useState} from 'react';

/**
The time, ticking every `intervalMs` while `active` (something runs, or a countdown shows) and
not at all otherwise: an idle screen does no work.
*/
export function useNow(active: boolean, intervalMs = 1000): number {
	const [now, setNow] = useState(() => Date.now());
	useEffect(() => {
		if (!active) {
			return;
		}

		const timer = setInterval(() => {
			setNow(Date.now());
		}, intervalMs);
		return () => {
			clearInterval(timer);
		};
	}, [active, intervalMs]);
	return now;
}
