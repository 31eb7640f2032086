import {Text} from 'ink';
import {useAppStore} from '../store/store-context.js';
import {escapeControls} from '../util/escape-text.js';
import {tint} from './theme.js';

/**
The live workers in one line (contract §10), when the config has orchestrator.workers: each one's
id, tags and attempts running of its concurrency; cut at the width.
*/
export function WorkersLine() {
	const workers = useAppStore(state => state.workers);
	if (workers === undefined) {
		return null;
	}

	// Ids and tags come from Redis: escaped, like anything an agent says.
	const text = workers
		.map(
			worker =>
				`${worker.id} ${worker.tags.join(',') || '-'} ${worker.running}/${worker.concurrency}${worker.stopping ? ' stopping' : ''}`,
		)
		.join(' · ');
	return (
		<Text wrap="truncate">
			<Text dimColor>WORKERS </Text>
			{workers.length === 0 ? (
				<Text {...tint('yellow')}>none live</Text>
			) : (
				<Text>{escapeControls(text)}</Text>
			)}
		</Text>
	);
}
