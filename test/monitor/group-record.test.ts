import {
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, test} from 'vitest';
import {
	createGroupRecorder,
	groupsFileOf,
	readGroupRecord,
} from '../../source/monitor/group-record.js';
import type {TrackedGroup} from '../../source/runner/kill-group.js';
import {bootId} from '../../source/runner/process-info.js';
import {temporaryDirectory} from '../helpers/index.js';

const groups = (
	...entries: Array<[number, string, number | undefined]>
): ReadonlyMap<number, TrackedGroup> =>
	new Map(
		entries.map(([pgid, agent, startTicks]) => [pgid, {agent, startTicks}]),
	);

function setup() {
	const dir = temporaryDirectory();
	const lockPath = path.join(dir, 'engine.lock');
	const errors: unknown[] = [];
	const recorder = createGroupRecorder(lockPath, error => {
		errors.push(error);
	});
	return {dir, lockPath, errors, recorder};
}

describe('createGroupRecorder', () => {
	test('a metrics folder moved away and made anew: later groups are recorded where a successor looks', () => {
		const {dir, lockPath, errors, recorder} = setup();
		// The first write renames a file into place; later ones write it in place.
		recorder.setCycle(1);
		recorder.update(groups([4242, 'risk', 1]));
		// An operator moves the folder; the lock is lost, then retaken in a new folder of the name.
		renameSync(dir, `${dir}.old`);
		mkdirSync(dir);
		recorder.update(groups([4242, 'risk', 1], [4343, 'trading', 2]));
		expect(errors).toEqual([]);
		expect(readGroupRecord(lockPath)?.groups.map(group => group.pgid)).toEqual([
			4242, 4343,
		]);
	});

	test('the record sits beside the lock', () => {
		expect(groupsFileOf('/run/moondev/abc.lock')).toBe(
			'/run/moondev/abc.lock.groups.json',
		);
	});

	test('update writes a record the next engine can read: this pid, this boot, every live group', () => {
		const {lockPath, recorder, errors} = setup();
		recorder.update(
			groups([4242, 'risk', 123_456], [4343, 'trading', undefined]),
		);
		expect(readGroupRecord(lockPath)).toEqual({
			version: 1,
			pid: process.pid,
			bootId: bootId(),
			cycle: undefined,
			groups: [
				{pgid: 4242, agent: 'risk', startTicks: 123_456},
				{pgid: 4343, agent: 'trading'},
			],
		});
		expect(errors).toEqual([]);
	});

	test('setCycle records the cycle, keeping the groups; each write replaces the last', () => {
		const {lockPath, recorder} = setup();
		recorder.setCycle(7);
		expect(readGroupRecord(lockPath)).toMatchObject({cycle: 7, groups: []});
		recorder.update(groups([10, 'risk', 1]));
		recorder.setCycle(8);
		expect(readGroupRecord(lockPath)).toMatchObject({
			cycle: 8,
			groups: [{pgid: 10, agent: 'risk', startTicks: 1}],
		});
		recorder.update(groups());
		recorder.setCycle(undefined);
		const record = readGroupRecord(lockPath);
		expect(record?.groups).toEqual([]);
		expect(record?.cycle).toBeUndefined();
	});

	test('the record is plain JSON, and no temporary file is left beside it', () => {
		const {dir, lockPath, recorder} = setup();
		recorder.update(groups([99, 'risk', 5]));
		recorder.setCycle(1);
		expect(readdirSync(dir)).toEqual(['engine.lock.groups.json']);
		expect(
			JSON.parse(readFileSync(groupsFileOf(lockPath), 'utf8')) as unknown,
		).toMatchObject({version: 1, pid: process.pid});
	});

	test('a shorter record written over a longer one reads back whole (rewritten in place)', async () => {
		const {lockPath, recorder} = setup();
		recorder.update(groups([1, 'risk', 1], [2, 'trading', 2], [3, 'copy', 3]));
		recorder.update(groups([2, 'trading', 2]));
		await new Promise(resolve => {
			setImmediate(resolve);
		});
		expect(readGroupRecord(lockPath)?.groups).toEqual([
			{pgid: 2, agent: 'trading', startTicks: 2},
		]);
		recorder.update(groups());
		expect(readGroupRecord(lockPath)?.groups).toEqual([]);
	});

	test('a group that ended is written a turn later, or with the next start, whichever comes first', async () => {
		const {lockPath, recorder} = setup();
		recorder.update(groups([1, 'risk', 1], [2, 'trading', 2]));
		recorder.update(groups([2, 'trading', 2]));
		// Still listed: harmless, a successor proves each group before it signals it.
		expect(readGroupRecord(lockPath)?.groups).toHaveLength(2);
		recorder.update(groups([2, 'trading', 2], [3, 'copy', 3]));
		expect(readGroupRecord(lockPath)?.groups).toEqual([
			{pgid: 2, agent: 'trading', startTicks: 2},
			{pgid: 3, agent: 'copy', startTicks: 3},
		]);
		recorder.update(groups([3, 'copy', 3]));
		await new Promise(resolve => {
			setImmediate(resolve);
		});
		expect(readGroupRecord(lockPath)?.groups).toEqual([
			{pgid: 3, agent: 'copy', startTicks: 3},
		]);
	});

	test('a record removed by someone else is written anew, not into the removed file', () => {
		const {lockPath, recorder} = setup();
		recorder.update(groups([1, 'risk', 1]));
		rmSync(groupsFileOf(lockPath));
		recorder.update(groups([2, 'trading', 2]));
		expect(readGroupRecord(lockPath)?.groups).toEqual([
			{pgid: 2, agent: 'trading', startTicks: 2},
		]);
	});

	test('remove deletes the record, and removing twice is fine', () => {
		const {lockPath, recorder} = setup();
		recorder.update(groups([1, 'risk', 1]));
		recorder.remove();
		expect(readGroupRecord(lockPath)).toBeUndefined();
		expect(readdirSync(path.dirname(lockPath))).toEqual([]);
		expect(() => {
			recorder.remove();
		}).not.toThrow();
	});

	test('a write that fails is reported once until one works again, then again on the next failure', () => {
		const dir = temporaryDirectory();
		const folder = path.join(dir, 'gone');
		const lockPath = path.join(folder, 'engine.lock');
		const errors: unknown[] = [];
		const recorder = createGroupRecorder(lockPath, error => {
			errors.push(error);
		});
		recorder.setCycle(1);
		recorder.update(groups([1, 'risk', 1]));
		recorder.setCycle(2);
		expect(errors).toHaveLength(1);
		expect(errors[0]).toMatchObject({code: 'ENOENT'});

		mkdirSync(folder);
		recorder.setCycle(3);
		expect(readGroupRecord(lockPath)).toMatchObject({cycle: 3});
		expect(errors).toHaveLength(1);

		// The record's name taken by a folder: the rename fails.
		recorder.remove();
		mkdirSync(groupsFileOf(lockPath));
		recorder.setCycle(4);
		recorder.setCycle(5);
		expect(errors).toHaveLength(2);
	});
});

describe('readGroupRecord', () => {
	function writeRecord(content: string): string {
		const lockPath = path.join(temporaryDirectory(), 'engine.lock');
		writeFileSync(groupsFileOf(lockPath), content);
		return lockPath;
	}

	test('no record is undefined', () => {
		expect(
			readGroupRecord(path.join(temporaryDirectory(), 'engine.lock')),
		).toBeUndefined();
	});

	test('a record of another version is refused', () => {
		const record = {version: 2, pid: 1, bootId: 'x', cycle: 1, groups: []};
		expect(
			readGroupRecord(writeRecord(JSON.stringify(record))),
		).toBeUndefined();
		expect(
			readGroupRecord(writeRecord(JSON.stringify({...record, version: '1'}))),
		).toBeUndefined();
	});

	test('a record without a groups list is refused', () => {
		for (const groups of [undefined, null, {}, 'pgid 12']) {
			expect(
				readGroupRecord(
					writeRecord(JSON.stringify({version: 1, pid: 1, groups})),
				),
			).toBeUndefined();
		}
	});

	test.each(['', '{', 'null', '[]', '1', '"text"', '\u0000\u00FF'])(
		'garbage %j is undefined, never a throw',
		content => {
			expect(readGroupRecord(writeRecord(content))).toBeUndefined();
		},
	);

	test('a well-formed record is read back', () => {
		const record = {
			version: 1,
			pid: 12,
			bootId: 'abc',
			cycle: 4,
			groups: [{pgid: 30, agent: 'risk', startTicks: 9}],
		};
		expect(readGroupRecord(writeRecord(JSON.stringify(record)))).toEqual(
			record,
		);
	});
});
