/**
 * A fixed-size ring: the newest `capacity` items, oldest first. The devtools' collector keeps each object's
 * timeline in one (src/devtools/collector.ts).
 */
export class Ring<T> {
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }
  get size(): number {
    return this.#size;
  }
  push(item: T): void {
    if (this.capacity === 0) return;
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = item;
      this.#size++;
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }
  /** The newest item, if any. */
  last(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[(this.#start + this.#size - 1) % this.capacity];
  }
  /** Replaces the newest item. */
  replaceLast(item: T): void {
    if (this.#size > 0) this.#items[(this.#start + this.#size - 1) % this.capacity] = item;
  }
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(this.#start + i) % this.capacity]!);
    return out;
  }
}
