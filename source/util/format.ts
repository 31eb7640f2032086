/** "4.2s", "1m 05s", "2h 03m": a duration as people read it. */
export function formatDuration(ms: number): string {
	// Below 59.95 s: what toFixed(1) would round up to "60.0s" reads as the minute it is.
	if (ms < 59_950) {
		return `${(ms / 1000).toFixed(1)}s`;
	}

	const totalSeconds = Math.round(ms / 1000);
	const hours = Math.floor(totalSeconds / 3600);
	const minutes = Math.floor((totalSeconds % 3600) / 60);
	const seconds = totalSeconds % 60;
	return hours > 0
		? `${hours}h ${String(minutes).padStart(2, '0')}m`
		: `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** "14:03:07", local time. */
export function formatClock(time: number | string | Date): string {
	const date = new Date(time);
	return [date.getHours(), date.getMinutes(), date.getSeconds()]
		.map(part => String(part).padStart(2, '0'))
		.join(':');
}

/** "2026-11-24 14:03:07", local time. */
export function formatDateTime(time: number | string | Date): string {
	const date = new Date(time);
	const day = [date.getFullYear(), date.getMonth() + 1, date.getDate()]
		.map(part => String(part).padStart(2, '0'))
		.join('-');
	return `${day} ${formatClock(date)}`;
}

/** "1 attempt", "3 attempts". */
export function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const weekDayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
A time still to come, local, to the minute: "14:05" today, "Tue 14:05" within the week,
"2026-11-24 14:05" further.
*/
export function formatUpcoming(time: number, now: number): string {
	const date = new Date(time);
	const hhmm = [date.getHours(), date.getMinutes()]
		.map(part => String(part).padStart(2, '0'))
		.join(':');
	const today = new Date(now);
	if (date.toDateString() === today.toDateString()) {
		return hhmm;
	}

	return time > now && time - now < 6 * 86_400_000
		? `${weekDayNames[date.getDay()] ?? ''} ${hhmm}`
		: `${formatDateTime(date).slice(0, 10)} ${hhmm}`;
}

/** "512K", "45M", "1.2G": memory as people read it, binary units. */
export function formatBytes(bytes: number): string {
	const units = ['B', 'K', 'M', 'G', 'T'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}

	const text =
		value < 10 && unit > 0 ? value.toFixed(1) : String(Math.round(value));
	return `${text}${units[unit]}`;
}

/** "12% 45M": what a running agent's process group uses (CPU of one core, resident memory). */
export function formatUsage(usage: {
	readonly cpuPercent: number;
	readonly memoryBytes: number;
}): string {
	return `${Math.round(usage.cpuPercent)}% ${formatBytes(usage.memoryBytes)}`;
}
