// Request deadlines without a Node timer per request. Every request to an
// upstream runs under its route's deadline, and almost every one finishes long
// before it: a setTimeout/clearTimeout pair per request (a Timeout object, its
// async id, a list insert and removal) was ~1.5–2 µs of a paced request's
// ~125 µs on the event loop (docs/benchmarks.md, twelfth pass). Deadlines of
// one length expire in the order they were set, so each length keeps a
// doubly-linked list in that order and one timer, armed for its head: setting
// and cancelling a deadline is a few pointer moves. The timer is re-armed
// lazily (when it fires, for the new head), so deadlines cancelled before
// their time cost at most one wake-up per deadline length every `ms`, and no
// deadline expires late.
import { performance } from 'node:perf_hooks';

/** What a deadline calls when it passes. */
export interface Expirable {
  onDeadline(): void;
}

export interface Deadline {
  /** Forgets the deadline (the request ended in time); idempotent. */
  cancel(): void;
}

class Entry implements Deadline {
  prev: Entry | null = null;
  next: Entry | null = null;
  /** Set to null once expired or cancelled. */
  lane: Lane | null;
  readonly at: number;
  readonly target: Expirable;

  constructor(lane: Lane, at: number, target: Expirable) {
    this.lane = lane;
    this.at = at;
    this.target = target;
  }

  cancel(): void {
    this.lane?.unlink(this);
  }
}

/** The deadlines of one length, oldest first, and the one timer that serves them. */
class Lane {
  #head: Entry | null = null;
  #tail: Entry | null = null;
  #timer: NodeJS.Timeout | null = null;
  readonly #ms: number;

  constructor(ms: number) {
    this.#ms = ms;
  }

  add(target: Expirable): Entry {
    const entry = new Entry(this, performance.now() + this.#ms, target);
    if (this.#tail === null) this.#head = entry;
    else {
      this.#tail.next = entry;
      entry.prev = this.#tail;
    }
    this.#tail = entry;
    if (this.#timer === null) this.#arm(entry.at);
    return entry;
  }

  unlink(entry: Entry): void {
    if (entry.prev === null) this.#head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next === null) this.#tail = entry.prev;
    else entry.next.prev = entry.prev;
    entry.prev = entry.next = null;
    entry.lane = null;
  }

  #arm(at: number): void {
    // At least 1 ms: Node's timers count whole ms, so a wake-up a fraction early re-arms instead of spinning.
    this.#timer = setTimeout(() => this.#fire(), Math.max(1, Math.ceil(at - performance.now())));
    // A pending request keeps the process alive through its sockets, not through this timer.
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = null;
    const now = performance.now();
    while (this.#head !== null && this.#head.at <= now) {
      const entry = this.#head;
      this.unlink(entry);
      entry.target.onDeadline();
    }
    // Armed after the callbacks: one may have added a deadline (and armed the timer) already.
    if (this.#head !== null && this.#timer === null) this.#arm(this.#head.at);
  }
}

export class Deadlines {
  readonly #lanes = new Map<number, Lane>();

  /** Calls target.onDeadline() once `ms` have passed, unless cancelled first. */
  add(ms: number, target: Expirable): Deadline {
    let lane = this.#lanes.get(ms);
    if (lane === undefined) {
      lane = new Lane(ms);
      this.#lanes.set(ms, lane);
    }
    return lane.add(target);
  }
}
