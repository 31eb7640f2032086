/**
The last `capacity` items pushed, in order, in fixed memory: what is kept of an agent's output
however much it prints.
*/
export class RingBuffer<T> {
	readonly capacity: number;
	#items: Array<T | undefined>;
	#start = 0;
	#size = 0;
	/** Items pushed out by newer ones since the last `drain`. */
	#overwritten = 0;

	constructor(capacity: number) {
		if (!Number.isInteger(capacity) || capacity < 1) {
			throw new RangeError(
				`capacity: expected a whole number >= 1, got ${capacity}`,
			);
		}

		this.capacity = capacity;
		this.#items = Array.from({length: capacity});
	}

	get size(): number {
		return this.#size;
	}

	push(item: T): void {
		if (this.#size < this.capacity) {
			this.#items[(this.#start + this.#size) % this.capacity] = item;
			this.#size++;
		} else {
			this.#items[this.#start] = item;
			this.#start = (this.#start + 1) % this.capacity;
			this.#overwritten++;
		}
	}

	/** Oldest first. */
	toArray(): T[] {
		const result: T[] = [];
		for (let index = 0; index < this.#size; index++) {
			result.push(this.#items[(this.#start + index) % this.capacity] as T);
		}

		return result;
	}

	/** Takes everything out: the items, oldest first, and how many were overwritten before. */
	drain(): {items: T[]; dropped: number} {
		const drained = {items: this.toArray(), dropped: this.#overwritten};
		this.#items = Array.from({length: this.capacity});
		this.#start = 0;
		this.#size = 0;
		this.#overwritten = 0;
		return drained;
	}
}
