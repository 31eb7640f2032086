import type {ResolvedOrchestrator} from '../config/resolved-config.js';

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
	return (
		orchestrator.backoffBaseSeconds *
		orchestrator.backoffMultiplier ** retry *
		1000
	);
}
