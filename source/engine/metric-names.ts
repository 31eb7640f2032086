/** Distinct custom metric names an agent may report over a run; more would grow memory and moondev.prom. */
export const maxMetricNames = 100;

/**
The metric names each agent has reported, capped: a name past the cap is refused and counted, so
an agent that invents a new name every line cannot grow the store, the metrics file or the
Prometheus file. One per run of the engine, shared by every attempt.
*/
export type MetricNames = {
	/** Whether this name may be reported (known, or still room for it). */
	readonly admit: (agent: string, name: string) => boolean;
	/** The first time an agent goes over the cap: true once, so it is said once. */
	readonly firstRefusal: (agent: string) => boolean;
};

export function createMetricNames(limit = maxMetricNames): MetricNames {
	const known = new Map<string, Set<string>>();
	const refused = new Set<string>();
	return {
		admit(agent, name) {
			let names = known.get(agent);
			if (!names) {
				names = new Set();
				known.set(agent, names);
			}

			if (names.has(name)) {
				return true;
			}

			if (names.size >= limit) {
				return false;
			}

			names.add(name);
			return true;
		},
		firstRefusal(agent) {
			if (refused.has(agent)) {
				return false;
			}

			refused.add(agent);
			return true;
		},
	};
}
