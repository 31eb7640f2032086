declare module 'parse-prometheus-text-format' {
	type Sample = {
		readonly value: string;
		readonly labels?: Record<string, string>;
	};
	type Family = {
		readonly name: string;
		readonly help: string;
		readonly type: string;
		readonly metrics: Sample[];
	};
	/** Parses the Prometheus text exposition format; throws on a malformed line. */
	export default function parsePrometheusTextFormat(text: string): Family[];
}
