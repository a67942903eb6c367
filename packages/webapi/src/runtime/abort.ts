// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://dom.spec.whatwg.org/#aborting-ongoing-activities — AbortController and AbortSignal, with
 * `AbortSignal.abort`, `timeout` and `any`. The exported functions are the spec's internal algorithms
 * (add/remove an abort algorithm, signal abort) for the other families (fetch, streams).
 */
import { DOMException, webidlInterface } from "./dom-exception.js";
import {
  defineEventHandler,
  Event,
  EventTarget,
  fireEvent,
  hasListeners,
  registerSignalHooks,
  watchListeners,
} from "./events.js";
import { ArrayPrototypePush, SafeSet, TypeError, WeakRef, WeakRefPrototypeDeref } from "./primordials.js";
import { runtimeTimeout } from "./timers.js";
import { toInteger } from "./webidl.js";

let constructing = false;

/**
 * Dependent signals (from `any`) that must stay alive: a source holds its dependents weakly, so one
 * that has abort listeners or algorithms, and can still be aborted, is pinned here (the GC rule of
 * https://dom.spec.whatwg.org/#abortsignal-garbage-collection).
 */
const pinned = new SafeSet<AbortSignal>();

let internals: {
  create(): AbortSignal;
  reason(signal: AbortSignal): unknown;
  signalAbort(signal: AbortSignal, reason: unknown): void;
  addAlgorithm(signal: AbortSignal, algorithm: () => void): void;
  removeAlgorithm(signal: AbortSignal, algorithm: () => void): void;
  isSignal(value: unknown): value is AbortSignal;
  any(list: readonly AbortSignal[]): AbortSignal;
  addSource(sources: SafeSet<AbortSignal>, source: AbortSignal, ref: WeakRef<AbortSignal>): void;
};

/** Adds `source` to a dependent signal's sources (a module function: see entry-points.ts on closures). */
function addSource(sources: SafeSet<AbortSignal>, source: AbortSignal, ref: WeakRef<AbortSignal>): void {
  internals.addSource(sources, source, ref);
}

/** https://webidl.spec.whatwg.org/#EnforceRange for `unsigned long long`. */
function enforceRangeULL(value: unknown): number {
  return toInteger(value, 64, false, "AbortSignal.timeout: milliseconds", ENFORCE_RANGE);
}

const ENFORCE_RANGE = { enforceRange: true };

export class AbortSignal extends EventTarget {
  /** undefined while not aborted: https://dom.spec.whatwg.org/#abortsignal-abort-reason */
  #reason: unknown = undefined;
  #algorithms: SafeSet<() => void> | null = null;
  #dependent = false;
  #sources: SafeSet<AbortSignal> | null = null;
  #dependents: SafeSet<WeakRef<AbortSignal>> | null = null;
  #ref: WeakRef<AbortSignal> | null = null;

  constructor() {
    if (!constructing) throw new TypeError("Illegal constructor");
    super();
  }

  /** https://dom.spec.whatwg.org/#dom-abortsignal-abort */
  static abort(reason: unknown = undefined): AbortSignal {
    const signal = internals.create();
    signal.#reason = reason === undefined ? new DOMException("signal is aborted without reason", "AbortError") : reason;
    return signal;
  }

  /** https://dom.spec.whatwg.org/#dom-abortsignal-timeout */
  static timeout(milliseconds: number): AbortSignal {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    if (arguments.length < 1) throw new TypeError("AbortSignal.timeout: 1 argument required");
    const ms = enforceRangeULL(milliseconds);
    const signal = internals.create();
    runtimeTimeout(() => internals.signalAbort(signal, new DOMException("signal timed out", "TimeoutError")), ms);
    return signal;
  }

  /** https://dom.spec.whatwg.org/#dom-abortsignal-any — create a dependent abort signal. */
  static any(signals: Iterable<AbortSignal>): AbortSignal {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    if (arguments.length < 1) throw new TypeError("AbortSignal.any: 1 argument required");
    if (
      typeof signals !== "object" ||
      signals === null ||
      typeof (signals as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) {
      throw new TypeError("AbortSignal.any: signals is not a sequence");
    }
    // WebIDL sequence<AbortSignal>: the app's iterable, iterated as it made it.
    const list: AbortSignal[] = [];
    for (const s of signals as Iterable<unknown>) {
      if (!internals.isSignal(s)) throw new TypeError("AbortSignal.any: every member must be an AbortSignal");
      ArrayPrototypePush(list, s);
    }
    return internals.any(list);
  }

  get aborted(): boolean {
    return this.#reason !== undefined;
  }
  get reason(): unknown {
    return this.#reason;
  }
  throwIfAborted(): void {
    if (this.#reason !== undefined) throw this.#reason;
  }

  #updatePin(): void {
    const keep =
      this.#reason === undefined &&
      (this.#sources?.size ?? 0) > 0 &&
      ((this.#algorithms?.size ?? 0) > 0 || hasListeners(this, "abort"));
    if (keep) pinned.add(this);
    else pinned.delete(this);
  }

  /** https://dom.spec.whatwg.org/#run-the-abort-steps */
  #runAbortSteps(): void {
    const algorithms = this.#algorithms;
    this.#algorithms = null;
    if (algorithms) for (const algorithm of algorithms) algorithm();
    fireEvent(this, new Event("abort"));
    // Aborted for good: no source needs to know of this one any more.
    if (this.#sources) {
      for (const source of this.#sources) if (this.#ref) source.#dependents?.delete(this.#ref);
      this.#sources = null;
    }
    this.#dependents = null;
    pinned.delete(this);
  }

  static {
    internals = {
      create() {
        constructing = true;
        try {
          return new AbortSignal();
        } finally {
          constructing = false;
        }
      },
      reason: (signal) => signal.#reason,
      addSource(sources, source, ref) {
        sources.add(source);
        source.#dependents ??= new SafeSet();
        source.#dependents.add(ref);
      },
      /** https://dom.spec.whatwg.org/#create-a-dependent-abort-signal */
      any(list) {
        const result = internals.create();
        for (let i = 0; i < list.length; i++) {
          const s = list[i] as AbortSignal;
          if (s.#reason !== undefined) {
            result.#reason = s.#reason;
            return result;
          }
        }
        result.#dependent = true;
        const sources = new SafeSet<AbortSignal>();
        result.#sources = sources;
        const ref = new WeakRef(result);
        result.#ref = ref;
        for (let i = 0; i < list.length; i++) {
          const s = list[i] as AbortSignal;
          if (s.#dependent) for (const source of s.#sources as SafeSet<AbortSignal>) addSource(sources, source, ref);
          else addSource(sources, s, ref);
        }
        watchListeners(result, (type) => {
          if (type === "abort") result.#updatePin();
        });
        return result;
      },
      isSignal: (value): value is AbortSignal => typeof value === "object" && value !== null && #reason in value,
      /** https://dom.spec.whatwg.org/#abortsignal-signal-abort */
      signalAbort(signal, reason) {
        if (signal.#reason !== undefined) return;
        signal.#reason =
          reason === undefined ? new DOMException("signal is aborted without reason", "AbortError") : reason;
        const dependentsToAbort: AbortSignal[] = [];
        if (signal.#dependents !== null) {
          for (const ref of signal.#dependents) {
            const dependent = WeakRefPrototypeDeref(ref);
            if (dependent && dependent.#reason === undefined) {
              dependent.#reason = signal.#reason;
              ArrayPrototypePush(dependentsToAbort, dependent);
            }
          }
        }
        signal.#runAbortSteps();
        for (let i = 0; i < dependentsToAbort.length; i++) (dependentsToAbort[i] as AbortSignal).#runAbortSteps();
      },
      addAlgorithm(signal, algorithm) {
        if (signal.#reason !== undefined) return;
        signal.#algorithms ??= new SafeSet();
        signal.#algorithms.add(algorithm);
        if (signal.#dependent) signal.#updatePin();
      },
      removeAlgorithm(signal, algorithm) {
        signal.#algorithms?.delete(algorithm);
        if (signal.#dependent) signal.#updatePin();
      },
    };
  }
}
defineEventHandler(AbortSignal.prototype, "abort");
webidlInterface(AbortSignal, "AbortSignal");

registerSignalHooks({
  isSignal: (value) => internals.isSignal(value),
  aborted: (signal) => internals.reason(signal as AbortSignal) !== undefined,
  addAlgorithm: (signal, algorithm) => internals.addAlgorithm(signal as AbortSignal, algorithm),
});

export class AbortController {
  #signal: AbortSignal = internals.create();
  get signal(): AbortSignal {
    return this.#signal;
  }
  abort(reason: unknown = undefined): void {
    internals.signalAbort(this.#signal, reason);
  }
}
webidlInterface(AbortController, "AbortController");

/** A new, not aborted signal (for APIs that make their own, like Request). */
export function createAbortSignal(): AbortSignal {
  return internals.create();
}
/** https://dom.spec.whatwg.org/#abortsignal-signal-abort */
export function signalAbort(signal: AbortSignal, reason?: unknown): void {
  internals.signalAbort(signal, reason);
}
/** https://dom.spec.whatwg.org/#abortsignal-add — a no-op on an aborted signal. */
export function addAbortAlgorithm(signal: AbortSignal, algorithm: () => void): void {
  internals.addAlgorithm(signal, algorithm);
}
/** https://dom.spec.whatwg.org/#abortsignal-remove */
export function removeAbortAlgorithm(signal: AbortSignal, algorithm: () => void): void {
  internals.removeAlgorithm(signal, algorithm);
}
export function isAbortSignal(value: unknown): value is AbortSignal {
  return internals.isSignal(value);
}
/** The signal's abort reason (undefined while not aborted), read from its private state. */
export function signalReason(signal: AbortSignal): unknown {
  return internals.reason(signal);
}
/** https://dom.spec.whatwg.org/#create-a-dependent-abort-signal over signals the runtime holds. */
export function dependentSignal(signals: readonly AbortSignal[]): AbortSignal {
  return internals.any(signals);
}
