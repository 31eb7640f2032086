import {expect, test} from 'vitest';
import {App} from '../../source/ui/app.js';
import {press, renderWithStore} from '../helpers/render.js';

test('j then space toggles the second agent', async () => {
	const rendered = renderWithStore(<App onQuit={() => undefined} />);
	await press(rendered, 'j');
	await press(rendered, ' ');
	expect(rendered.calls).toEqual(['trading=false']);
});
