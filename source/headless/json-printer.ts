import {type EngineEvent, isContractEvent} from '../engine/events.js';

/** `--json`: one object per line, the contract's events only (§6). */
export function createJsonPrinter(write: (line: string) => void) {
	return (event: EngineEvent): void => {
		if (isContractEvent(event)) {
			write(JSON.stringify(event));
		}
	};
}
