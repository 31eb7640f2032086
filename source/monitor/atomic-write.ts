import writeFileAtomic from 'write-file-atomic';

/**
Writes a file so that readers see the old content or the new, never a part: a temporary file
beside it, fsynced, then renamed over it (write-file-atomic, npm's own).
*/
export function writeFileAtomicSync(file: string, content: string): void {
	writeFileAtomic.sync(file, content, {encoding: 'utf8'});
}
