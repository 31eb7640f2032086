import {describe, expect, test} from 'vitest';
import {
	cutText,
	describeTarget,
	discordContentLimit,
	formatRequest,
	heartbeatBodyLimit,
	slackSectionLimit,
	slackTextLimit,
	telegramTextLimit,
} from '../../source/notify/format-request.js';
import type {
	Notification,
	NotifyFormat,
	NotifyTarget,
} from '../../source/notify/types.js';

type Target = Pick<NotifyTarget, 'format' | 'chatId'>;

const slack: Target = {format: 'slack', chatId: undefined};
const discord: Target = {format: 'discord', chatId: undefined};
const telegram: Target = {format: 'telegram', chatId: '-1001234567890'};
const json: Target = {format: 'json', chatId: undefined};
const heartbeat: Target = {format: 'heartbeat', chatId: undefined};

function notification(overrides: Partial<Notification> = {}): Notification {
	return {
		kind: 'alert',
		level: 'critical',
		time: '2026-03-01T10:00:00.000Z',
		title: 'cycle 12 halted by risk',
		text: 'VaR 9.1% over the 7% limit\nagent: risk\nnot run: trading',
		agent: 'risk',
		cycle: 12,
		config: 'main',
		host: 'trading-box',
		event: {
			type: 'alert',
			time: '2026-03-01T10:00:00.000Z',
			level: 'critical',
			message: 'cycle 12 halted by risk',
			agent: 'risk',
		},
		...overrides,
	};
}

function body(target: Target, input: Notification): Record<string, unknown> {
	const request = formatRequest(target, input);
	expect(request.method).toBe('POST');
	expect(request.headers).toEqual({'Content-Type': 'application/json'});
	return JSON.parse(request.body) as Record<string, unknown>;
}

/** Every character a terminal or a line splitter acts on, as escape-text.ts defines them. */
const raw =
	// eslint-disable-next-line no-control-regex -- control characters are what it finds
	/[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/v;

type SlackBody = {
	text: string;
	blocks: [
		{type: 'section'; text: {type: string; text: string}},
		{type: 'context'; elements: [{type: string; text: string}]},
	];
};

/** No lone half of a surrogate pair anywhere in `text` (a whole pair is one code point, not Cs). */
function expectWellFormed(text: string): void {
	expect(text).not.toMatch(/\p{Cs}/v);
}

describe('json', () => {
	test('the event with config and host, as JSON', () => {
		const request = formatRequest(json, notification());
		expect(request).toEqual({
			method: 'POST',
			headers: {'Content-Type': 'application/json'},
			body: request.body,
		});
		expect(JSON.parse(request.body)).toStrictEqual({
			type: 'alert',
			time: '2026-03-01T10:00:00.000Z',
			level: 'critical',
			message: 'cycle 12 halted by risk',
			agent: 'risk',
			config: 'main',
			host: 'trading-box',
		});
	});

	test('a folded notification adds its count', () => {
		expect(body(json, notification({count: 37}))).toMatchObject({
			count: 37,
			config: 'main',
			host: 'trading-box',
		});
		expect(body(json, notification())).not.toHaveProperty('count');
	});

	test('C1 controls, separators and bidi controls are written as escapes and parse back', () => {
		const message = 'a\u009B2Jb\u0085c\u2028d\u202Eevil\u2066e\u007Ff\u0007g';
		const request = formatRequest(
			json,
			notification({event: {type: 'alert', message}}),
		);
		expect(request.body).not.toMatch(raw);
		expect(request.body).toContain(String.raw`\u009b2J`);
		expect(request.body).toContain(String.raw`\u202eevil`);
		expect((JSON.parse(request.body) as {message: string}).message).toBe(
			message,
		);
	});
});

describe('slack', () => {
	test('a fallback text, a section and a context block, nothing else', () => {
		const parsed = body(slack, notification({count: 37}));
		expect(Object.keys(parsed).toSorted()).toEqual(['blocks', 'text']);
		const {text, blocks} = parsed as SlackBody;
		expect(text).toBe(
			'CRITICAL: cycle 12 halted by risk (×37 in the last minute)\nVaR 9.1% over the 7% limit\nagent: risk\nnot run: trading\nmoondev-tui main on trading-box',
		);
		expect(blocks).toStrictEqual([
			{
				type: 'section',
				text: {
					type: 'mrkdwn',
					text: '*CRITICAL*: cycle 12 halted by risk (×37 in the last minute)\nVaR 9.1% over the 7% limit\nagent: risk\nnot run: trading',
				},
			},
			{
				type: 'context',
				elements: [{type: 'mrkdwn', text: 'moondev-tui main on trading-box'}],
			},
		]);
	});

	test('&, < and > from agents are entities: no <!channel>, no link, no user ping', () => {
		const parsed = body(
			slack,
			notification({
				title: 'risk says <!channel> & <!here>',
				text: 'see <https://evil.example/login|your broker> & <@U024BE7LH>',
				config: 'a<b>',
			}),
		) as SlackBody;
		const texts = [
			parsed.text,
			parsed.blocks[0].text.text,
			parsed.blocks[1].elements[0].text,
		];
		for (const text of texts) {
			expect(text).not.toMatch(/[<>]/v);
			// Every & starts one of the three entities.
			expect(text.replaceAll(/&(?:amp|lt|gt);/gv, '')).not.toContain('&');
		}

		expect(parsed.text).toContain(
			'risk says &lt;!channel&gt; &amp; &lt;!here&gt;',
		);
		expect(parsed.blocks[0].text.text).toContain(
			'see &lt;https://evil.example/login|your broker&gt; &amp; &lt;@U024BE7LH&gt;',
		);
		expect(parsed.blocks[1].elements[0].text).toBe(
			'moondev-tui a&lt;b&gt; on trading-box',
		);
	});

	test('long text is cut to the limits with an ellipsis, the headline and footer kept', () => {
		const parsed = body(
			slack,
			notification({text: 'x'.repeat(50_000)}),
		) as SlackBody;
		expect(parsed.text.length).toBe(slackTextLimit);
		expect(parsed.text).toMatch(
			/^CRITICAL: cycle 12 halted by risk\nx+…\nmoondev-tui main on trading-box$/v,
		);
		const section = parsed.blocks[0].text.text;
		expect(section.length).toBe(slackSectionLimit);
		expect(section).toMatch(/^\*CRITICAL\*: cycle 12 halted by risk\nx+…$/v);
	});

	test('a cut never splits an entity', () => {
		const endings = new Set<string>();
		for (let shift = 0; shift < 10; shift++) {
			// The cut falls on each of an entity's five places in turn.
			const text = 'y'.repeat(2950 + shift) + '&'.repeat(40);
			const section = (body(slack, notification({text})) as SlackBody).blocks[0]
				.text.text;
			expect(section.length).toBeLessThanOrEqual(slackSectionLimit);
			expect(section.length).toBeGreaterThanOrEqual(slackSectionLimit - 4);
			expect(section).toMatch(/(?:&amp;|y)…$/v);
			endings.add(section.slice(-2));
		}

		expect(endings).toEqual(new Set([';…', 'y…']));
	});
});

describe('discord', () => {
	test('content and allowed_mentions parsing nothing', () => {
		const parsed = body(discord, notification({level: 'warning'}));
		expect(parsed).toStrictEqual({
			content:
				'WARNING: cycle 12 halted by risk\nVaR 9.1% over the 7% limit\nagent: risk\nnot run: trading\nmoondev-tui main on trading-box',
			allowed_mentions: {parse: []},
		});
	});

	test('@everyone, @here and a role stay text that pings nobody', () => {
		const parsed = body(
			discord,
			notification({title: '@everyone sell', text: '@here <@&123456> <@42>'}),
		) as {content: string; allowed_mentions: {parse: string[]}};
		expect(parsed.content).toContain('@everyone sell');
		expect(parsed.content).toContain('@here <@&123456> <@42>');
		expect(parsed.allowed_mentions).toStrictEqual({parse: []});
	});

	test('content is cut to 2000 with an ellipsis', () => {
		const {content} = body(discord, notification({text: 'z'.repeat(5000)})) as {
			content: string;
		};
		expect(content.length).toBe(discordContentLimit);
		expect(content).toMatch(
			/^CRITICAL: cycle 12 halted by risk\nz+…\nmoondev-tui main on trading-box$/v,
		);
	});

	test('a surrogate pair at the cut is left out whole', () => {
		for (let shift = 0; shift < 2; shift++) {
			const text = 'a'.repeat(shift) + '😀'.repeat(3000);
			const {content} = body(discord, notification({text})) as {
				content: string;
			};
			expect(content.length).toBeLessThanOrEqual(discordContentLimit);
			expect(content.length).toBeGreaterThanOrEqual(discordContentLimit - 1);
			expect(content).toContain('😀…\nmoondev-tui');
			expectWellFormed(content);
		}
	});
});

describe('telegram', () => {
	test('chat_id, plain text (no parse_mode) and no link preview', () => {
		const parsed = body(telegram, notification({level: 'info', count: 2}));
		expect(parsed).toStrictEqual({
			chat_id: '-1001234567890',
			text: 'INFO: cycle 12 halted by risk (×2 in the last minute)\nVaR 9.1% over the 7% limit\nagent: risk\nnot run: trading\nmoondev-tui main on trading-box',
			link_preview_options: {is_disabled: true},
		});
		expect(parsed).not.toHaveProperty('parse_mode');
	});

	test('markup characters are sent as they are', () => {
		const {text} = body(
			telegram,
			notification({text: '<b>*_[x](y)_*</b> & more'}),
		) as {text: string};
		expect(text).toContain('<b>*_[x](y)_*</b> & more');
	});

	test('text is cut to 4096', () => {
		const {text} = body(telegram, notification({text: '€'.repeat(10_000)})) as {
			text: string;
		};
		expect(text.length).toBe(telegramTextLimit);
		expect(text.startsWith('CRITICAL: cycle 12 halted by risk\n€')).toBe(true);
		expect(text.endsWith('€…\nmoondev-tui main on trading-box')).toBe(true);
	});

	test('without a chat id it throws', () => {
		for (const chatId of [undefined, '']) {
			expect(() =>
				formatRequest({format: 'telegram', chatId}, notification()),
			).toThrow(/chatId/v);
		}
	});
});

describe('heartbeat', () => {
	test('a short text/plain body naming config, host and the cycle', () => {
		const request = formatRequest(
			heartbeat,
			notification({
				kind: 'heartbeat',
				level: 'info',
				title: 'cycle 12 ok in 3.2 s',
				text: 'all 5 agents succeeded',
			}),
		);
		expect(request).toStrictEqual({
			method: 'POST',
			headers: {'Content-Type': 'text/plain; charset=utf-8'},
			body: 'moondev-tui main on trading-box: cycle 12 ok in 3.2 s',
		});
	});

	test('another kind says its level; a long title is cut', () => {
		expect(formatRequest(heartbeat, notification()).body).toBe(
			'moondev-tui main on trading-box: CRITICAL: cycle 12 halted by risk',
		);
		const {body: long} = formatRequest(
			heartbeat,
			notification({kind: 'heartbeat', title: 'q'.repeat(5000)}),
		);
		expect(long.length).toBe(heartbeatBodyLimit);
		expect(long.endsWith('q…')).toBe(true);
	});
});

describe('every text a person reads', () => {
	test.each<NotifyFormat>(['slack', 'discord', 'telegram'])(
		'%s starts with the level and the title, then the text',
		format => {
			const parsed = body(
				{format, chatId: '1'},
				notification({level: 'warning', title: 'T', text: 'body'}),
			);
			const text =
				format === 'slack'
					? (parsed as SlackBody).text
					: format === 'discord'
						? (parsed as {content: string}).content
						: (parsed as {text: string}).text;
			expect(text.startsWith('WARNING: T\nbody\n')).toBe(true);
		},
	);

	test('controls left in the title or the text are shown as escapes, line ends kept', () => {
		const {content} = body(
			discord,
			notification({title: 'a\u001B[2Jb\u202E', text: 'one\u0007\ntwo'}),
		) as {content: string};
		expect(content).toBe(
			String.raw`CRITICAL: a\x1b[2Jb\u202e` +
				'\n' +
				String.raw`one\x07` +
				'\ntwo\nmoondev-tui main on trading-box',
		);
	});

	test('no text: the headline and the footer only', () => {
		const {content} = body(discord, notification({text: ''})) as {
			content: string;
		};
		expect(content).toBe(
			'CRITICAL: cycle 12 halted by risk\nmoondev-tui main on trading-box',
		);
	});

	test('a count of 1 is not a fold', () => {
		const {content} = body(discord, notification({count: 1})) as {
			content: string;
		};
		expect(content).not.toContain('×');
	});
});

describe('cutText', () => {
	test('short text is returned as is', () => {
		expect(cutText('abc', 3)).toBe('abc');
		expect(cutText('', 0)).toBe('');
	});

	test('cut text ends with an ellipsis and fits', () => {
		expect(cutText('abcdef', 4)).toBe('abc…');
		expect(cutText('abcdef', 1)).toBe('…');
		expect(cutText('abcdef', 0)).toBe('');
	});

	test('never in the middle of a surrogate pair', () => {
		expect(cutText('ab😀cd', 4)).toBe('ab…');
		expect(cutText('ab😀cd', 5)).toBe('ab😀…');
		expect(cutText('😀😀', 2)).toBe('…');
		for (let max = 0; max < 12; max++) {
			const cut = cutText('x😀y😀😀z😀', max);
			expect(cut.length).toBeLessThanOrEqual(max);
			expectWellFormed(cut);
		}
	});

	test('with entities, never in the middle of one', () => {
		const escaped = 'ab&amp;&lt;&gt;cd';
		for (let max = 1; max <= escaped.length; max++) {
			const cut = cutText(escaped, max, true);
			expect(cut.length).toBeLessThanOrEqual(max);
			const kept = cut.endsWith('…') ? cut.slice(0, -1) : cut;
			expect(kept.replaceAll(/&(?:amp|lt|gt);/gv, '')).not.toContain('&');
		}

		expect(cutText(escaped, 9, true)).toBe('ab&amp;…');
		expect(cutText(escaped, 8, true)).toBe('ab&amp;…');
		expect(cutText(escaped, 7, true)).toBe('ab…');
	});
});

describe('describeTarget', () => {
	const secrets = [
		'T00000000',
		'B00000000',
		'XXXXXXXXXXXXXXXXXXXXXXXX',
		'123456789:AAE-secret',
		'token=abc',
		'user',
		'hunter2',
		'frag',
	];

	test.each<[NotifyFormat, string, string]>([
		[
			'slack',
			'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
			'#1 slack hooks.slack.com',
		],
		[
			'telegram',
			'https://api.telegram.org/bot123456789:AAE-secret/sendMessage',
			'#1 telegram api.telegram.org',
		],
		[
			'json',
			'https://user:hunter2@example.com:8443/hook?token=abc#frag',
			'#1 json example.com:8443',
		],
		[
			'heartbeat',
			'http://[::1]:9000/ping/token=abc',
			'#1 heartbeat [::1]:9000',
		],
	])('%s %s is named by its host only', (format, url, label) => {
		const described = describeTarget(1, format, url);
		expect(described).toBe(label);
		for (const secret of secrets) {
			expect(described).not.toContain(secret);
		}
	});

	test('a URL that does not parse is named as invalid, none of it shown', () => {
		const described = describeTarget(
			3,
			'discord',
			'hooks.example/api/webhooks/1/token=abc',
		);
		expect(described).toBe('#3 discord (invalid URL)');
		expect(describeTarget(2, 'json', '')).toBe('#2 json (invalid URL)');
	});

	test('a URL without a host says so', () => {
		expect(describeTarget(4, 'json', 'file:///etc/token=abc')).toBe(
			'#4 json (no host)',
		);
	});
});
