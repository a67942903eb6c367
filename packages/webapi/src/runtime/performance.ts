/**
 * https://w3c.github.io/hr-time/ — `performance.now()` and `timeOrigin`. The isolate has no
 * high-resolution clock of its own, so time is `Date.now()` (millisecond resolution, which also keeps
 * timing side channels coarse), made monotonic; the origin is when the isolate was initialised.
 */
import { webidlInterface } from "./dom-exception.js";
import { EventTarget, setEventClock } from "./events.js";
import { DateNow } from "./primordials.js";

let origin = 0;
let last = 0;

/** Called from `__nano_init`: the snapshot's time is not the isolate's. */
export function startClock(): void {
  origin = DateNow();
  last = 0;
}

/** Milliseconds since the time origin, never decreasing (the wall clock may step back). */
function now(): number {
  const t = DateNow() - origin;
  if (t > last) last = t;
  return last;
}
setEventClock(now);

let constructing = false;
export let performance: Performance;

/** https://w3c.github.io/hr-time/#sec-performance — one instance, the `performance` global. */
export class Performance extends EventTarget {
  constructor() {
    if (!constructing) throw new TypeError("Illegal constructor");
    super();
  }
  get timeOrigin(): number {
    this.#brand();
    return origin;
  }
  now(): number {
    this.#brand();
    return now();
  }
  toJSON(): { timeOrigin: number } {
    this.#brand();
    return { timeOrigin: origin };
  }
  /** Throws a TypeError when `this` is not a Performance (a private method is a brand). */
  #brand(): void {}
  static {
    constructing = true;
    performance = new Performance();
    constructing = false;
  }
}
webidlInterface(Performance, "Performance");
