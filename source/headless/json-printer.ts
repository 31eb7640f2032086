import {type EngineEvent, isContractEvent} from '../contract/events.js';
import {escapeJsonText} from '../util/escape-text.js';

/**
`--json`: one object per line, the contract's events only (§6). JSON.stringify escapes C0
controls; DEL, C1, U+2028/U+2029 and the bidi controls are escaped too, so the line parses to the
same object and nothing in it acts on a terminal or a line splitter.
*/
export function createJsonPrinter(write: (line: string) => void) {
	return (event: EngineEvent): void => {
		if (isContractEvent(event)) {
			write(escapeJsonText(JSON.stringify(event)));
		}
	};
}
