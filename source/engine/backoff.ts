import type {ResolvedOrchestrator} from '../config/resolved-config.js';

const maxTimerMs = 2 ** 31 - 1;

/**
The delay before retry `k` (k = 1, 2, …): `backoffBaseSeconds × backoffMultiplier^k` seconds,
so 2 s, 4 s, 8 s with the defaults (contract §3).
*/
export function retryDelayMs(
	orchestrator: Pick<
		ResolvedOrchestrator,
		'backoffBaseSeconds' | 'backoffMultiplier'
	>,
	retry: number,
): number {
	// A timer holds at most 2^31 − 1 ms; past that it would fire at once, so the wait is capped.
	return Math.min(
		maxTimerMs,
		orchestrator.backoffBaseSeconds *
			orchestrator.backoffMultiplier ** retry *
			1000,
	);
}
