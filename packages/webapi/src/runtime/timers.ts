/**
 * https://html.spec.whatwg.org/multipage/timers-and-user-prompts.html#timers — there is no event loop in
 * an isolate, so each timer is a host timer (`setTimer`) that calls back into `fireTimer(id)`.
 */
type Callback = (...args: unknown[]) => void;

interface Timer {
  callback: Callback;
  args: unknown[];
  delay: number;
  repeat: boolean;
}

export interface TimerHost {
  setTimer(id: number, delayMs: number): void;
  clearTimer(id: number): void;
}

export function createTimers(host: TimerHost) {
  const timers = new Map<number, Timer>();
  let nextId = 1;

  const start = (callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number => {
    if (typeof callback !== "function") throw new TypeError("timer callback must be a function");
    const id = nextId++;
    const ms = Math.max(0, Number(delay) || 0);
    timers.set(id, { callback: callback as Callback, args, delay: ms, repeat });
    host.setTimer(id, ms);
    return id;
  };
  const clear = (id: unknown): void => {
    const n = Number(id);
    if (timers.delete(n)) host.clearTimer(n);
  };

  return {
    globals: {
      setTimeout: (cb: unknown, delay?: unknown, ...args: unknown[]) => start(cb, delay, args, false),
      setInterval: (cb: unknown, delay?: unknown, ...args: unknown[]) => start(cb, delay, args, true),
      clearTimeout: clear,
      clearInterval: clear,
    },
    /** Called by the host when timer `id` is due. */
    fire(id: number): void {
      const t = timers.get(id);
      if (!t) return;
      if (t.repeat) host.setTimer(id, t.delay);
      else timers.delete(id);
      t.callback(...t.args);
    },
  };
}
