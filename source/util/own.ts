/**
`record[key]` if the record itself has it, else undefined: records keyed by agent names must not
answer for `constructor` or `toString` with what every object inherits.
*/
export function own<T>(
	record: Readonly<Record<string, T>>,
	key: string,
): T | undefined {
	return Object.hasOwn(record, key) ? record[key] : undefined;
}
