import {
	closeSync,
	fstatSync,
	openSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
	writeSync,
} from 'node:fs';
import {Buffer} from 'node:buffer';
import process from 'node:process';
import type {TrackedGroup} from '../runner/kill-group.js';
import {bootId} from '../runner/process-info.js';

/**
The agents' process groups an engine has running, and its cycle: written beside its lock each time
a group starts or ends, so that the engine that takes the lock over after a crash (SIGKILL, the OOM
killer) can end what this one left before it starts anything itself.
*/
export type GroupRecord = {
	readonly version: 1;
	/** The engine's pid. */
	readonly pid: number;
	/** This boot's id: after a reboot every recorded id may belong to anyone. */
	readonly bootId: string | undefined;
	/** The cycle that was running, if one was. */
	readonly cycle: number | undefined;
	readonly groups: ReadonlyArray<{
		/** The group's id: its leader's pid. */
		readonly pgid: number;
		readonly agent: string;
		/** The leader's start time, in clock ticks after boot. */
		readonly startTicks: number | undefined;
	}>;
};

export const groupsFileOf = (lockPath: string) => `${lockPath}.groups.json`;

export type GroupRecorder = {
	readonly setCycle: (cycle: number | undefined) => void;
	readonly update: (groups: ReadonlyMap<number, TrackedGroup>) => void;
	/** Every group is gone: the record goes too. */
	readonly remove: () => void;
};

/**
A record of at most this many bytes is rewritten in place, in one write at offset 0: it lies in
the file's first page, which the kernel copies whole or not at all even when the process is
killed mid-write (it checks for a fatal signal only between pages).
*/
const inPlaceMaxBytes = 4096;

/**
Records the groups in `<lock>.groups.json`. A crash mid-write leaves the previous record whole:
the first write (and any record past one page) goes to a temporary file renamed over the record;
later ones rewrite the open file in place, padded with spaces (JSON allows them) to the length
written before, in one write within the first page. A rename per agent start and end cost ~0.3 ms
each on ext4 (it flushes a file replaced by rename); the in-place write costs a few µs. No fsync:
the record only matters while this boot lasts, and a crash of the process leaves the page cache
intact.
*/
export function createGroupRecorder(
	lockPath: string,
	onError: (error: unknown) => void,
): GroupRecorder {
	const file = groupsFileOf(lockPath);
	const temporary = `${file}.${process.pid}.tmp`;
	const boot = bootId();
	let cycle: number | undefined;
	let groups: GroupRecord['groups'] = [];
	let failed = false;
	// The record's file, open for writes in place, and how many bytes the last write left in it.
	let fd: number | undefined;
	let length = 0;
	const closeRecord = () => {
		if (fd !== undefined) {
			const open = fd;
			fd = undefined;
			try {
				closeSync(open);
			} catch {
				// Closing what is open cannot fail in a way that matters here.
			}
		}
	};

	const writeInPlace = (text: string): boolean => {
		if (fd === undefined) {
			return false;
		}

		const bytes = Buffer.byteLength(text);
		const padded = bytes < length ? text + ' '.repeat(length - bytes) : text;
		// Unlinked, or no longer the file at the record's path (its folder moved, made anew): by
		// path again, which finds out and says so, and writes where a successor looks.
		if (Math.max(bytes, length) > inPlaceMaxBytes || !isStillAtPath(fd)) {
			closeRecord();
			return false;
		}

		// A short write would leave the record half new: by path then, whole.
		if (writeSync(fd, padded, 0) !== Buffer.byteLength(padded)) {
			closeRecord();
			return false;
		}

		length = Math.max(bytes, length);
		return true;
	};

	const isStillAtPath = (open: number): boolean => {
		try {
			const here = statSync(file);
			const held = fstatSync(open);
			return held.nlink > 0 && here.ino === held.ino && here.dev === held.dev;
		} catch {
			return false;
		}
	};

	const write = () => {
		const record: GroupRecord = {
			version: 1,
			pid: process.pid,
			bootId: boot,
			cycle,
			groups,
		};
		const text = JSON.stringify(record);
		try {
			if (!writeInPlace(text)) {
				writeFileSync(temporary, text);
				renameSync(temporary, file);
				length = Buffer.byteLength(text);
				try {
					fd = openSync(file, 'r+');
				} catch {
					// Written all the same; the next write renames again.
				}
			}

			failed = false;
		} catch (error) {
			closeRecord();
			// Said once until it works again: the lock's own checks tell of a folder that is gone.
			if (!failed) {
				failed = true;
				onError(error);
			}
		}
	};

	/*
	A group that ended is written out a moment later (setImmediate): the pool starts the next agent
	in the same turn, and that start's write carries both. A group that ended may stay in the record
	that long, which is harmless: a successor proves each recorded group by its leader's start time
	before it signals it. A start, a cycle and the last group's end are written at once.
	*/
	let later: NodeJS.Immediate | undefined;
	const writeNow = () => {
		clearImmediate(later);
		later = undefined;
		write();
	};

	return {
		setCycle(value) {
			cycle = value;
			writeNow();
		},
		update(live) {
			const ended = live.size > 0 && live.size < groups.length;
			groups = [...live].map(([pgid, group]) => ({
				pgid,
				agent: group.agent,
				startTicks: group.startTicks,
			}));
			if (ended) {
				later ??= setImmediate(writeNow);
			} else {
				writeNow();
			}
		},
		remove() {
			clearImmediate(later);
			later = undefined;
			closeRecord();
			rmSync(file, {force: true});
		},
	};
}

/** The record a dead engine left beside its lock, if one can be read. */
export function readGroupRecord(lockPath: string): GroupRecord | undefined {
	try {
		const record = JSON.parse(
			readFileSync(groupsFileOf(lockPath), 'utf8'),
		) as Partial<GroupRecord>;
		return record.version === 1 && Array.isArray(record.groups)
			? (record as GroupRecord)
			: undefined;
	} catch {
		return undefined;
	}
}
