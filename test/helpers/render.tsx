import {render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import {onTestFinished} from 'vitest';
import type {StoreApi} from 'zustand/vanilla';
import type {ResolvedConfig} from '../../source/config/resolved-config.js';
import type {EngineEvent} from '../../source/contract/events.js';
import {
	type AppStore,
	createAppStore,
	type StoreControls,
} from '../../source/store/create-app-store.js';
import {StoreProvider} from '../../source/store/store-context.js';
import {buildConfig} from './index.js';

/** Controls that record what the UI asked for. */
export function createRecordingControls() {
	const calls: string[] = [];
	const controls: StoreControls = {
		pause() {
			calls.push('pause');
		},
		resume() {
			calls.push('resume');
		},
		forceCycle() {
			calls.push('force');
		},
		setEnabled(agent, enabled, options) {
			calls.push(
				`${agent}=${enabled}${options?.confirmed ? ' (confirmed)' : ''}`,
			);
		},
		cancelAgent(agent) {
			calls.push(`cancel ${agent}`);
			return true;
		},
	};
	return {calls, controls};
}

/** A config of a few agents for UI tests. */
export function uiConfig(): ResolvedConfig {
	return buildConfig({
		agents: {
			risk: {command: 'x', enabled: true, critical: true},
			trading: {command: 'x', enabled: true},
			news: {command: 'x', enabled: false},
		},
	});
}

/**
Renders a component inside a fresh store (prepared by `events`) and its Provider, with
ink-testing-library; unmounted when the test ends.
*/
export function renderWithStore(
	element: ReactElement,
	options: {config?: ResolvedConfig; events?: EngineEvent[]} = {},
) {
	const recording = createRecordingControls();
	const store: StoreApi<AppStore> = createAppStore({
		config: options.config ?? uiConfig(),
		controls: recording.controls,
	});
	for (const event of options.events ?? []) {
		store.getState().apply(event);
	}

	const rendered = render(
		<StoreProvider store={store}>{element}</StoreProvider>,
	);
	onTestFinished(() => {
		rendered.unmount();
	});
	return {
		lastFrame: rendered.lastFrame,
		frames: rendered.frames,
		stdin: rendered.stdin,
		// Its class has private fields that an inferred return type may not expose.
		stdout: rendered.stdout as unknown as NodeJS.EventEmitter & {
			readonly columns: number;
		},
		rerender: rendered.rerender,
		store,
		calls: recording.calls,
	};
}

/** Writes keys, then waits until the frame changes (or `settleMs` passes), as React 19 renders async. */
export async function press(
	rendered: {
		stdin: {write: (data: string) => void};
		lastFrame: () => string | undefined;
	},
	keys: string,
	settleMs = 500,
) {
	const before = rendered.lastFrame();
	rendered.stdin.write(keys);
	const deadline = Date.now() + settleMs;
	while (rendered.lastFrame() === before && Date.now() < deadline) {
		await new Promise(resolve => {
			setTimeout(resolve, 10);
		});
	}
}
