/**
Whether `text` is a redis:// or rediss:// URL that Redis' client can take: one it cannot parse
(a port that is not a number, a lone `%` in the password) would throw an error quoting the whole
URL, password included.
*/
export function isRedisUrl(text: string): boolean {
	if (!/^rediss?:\/\//v.test(text)) {
		return false;
	}

	try {
		const url = new URL(text);
		// The client decodes these: a malformed escape throws a URIError there.
		decodeURIComponent(url.username);
		decodeURIComponent(url.password);
		return true;
	} catch {
		return false;
	}
}
