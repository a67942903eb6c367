/**
 * https://dom.spec.whatwg.org/#events — Event and EventTarget, enough for the global scope and
 * FetchEvent. Listener `this` is the target, `once` and `signal`-less options, handleEvent objects.
 */
type Listener = ((event: Event) => unknown) | { handleEvent(event: Event): unknown };

interface Registration {
  listener: Listener;
  once: boolean;
}

export class Event {
  readonly type: string;
  readonly bubbles: boolean;
  readonly cancelable: boolean;
  readonly timeStamp = Date.now();
  #defaultPrevented = false;
  #stopImmediate = false;
  #target: EventTarget | null = null;

  constructor(type: string, init: { bubbles?: boolean; cancelable?: boolean } = {}) {
    if (type === undefined) throw new TypeError("Event constructor requires a type");
    this.type = String(type);
    this.bubbles = Boolean(init.bubbles);
    this.cancelable = Boolean(init.cancelable);
  }
  get target(): EventTarget | null {
    return this.#target;
  }
  get currentTarget(): EventTarget | null {
    return this.#target;
  }
  get defaultPrevented(): boolean {
    return this.#defaultPrevented;
  }
  preventDefault(): void {
    if (this.cancelable) this.#defaultPrevented = true;
  }
  stopPropagation(): void {}
  stopImmediatePropagation(): void {
    this.#stopImmediate = true;
  }
  /** @internal used by EventTarget.dispatchEvent */
  static dispatchTo(event: Event, target: EventTarget): boolean {
    event.#target = target;
    return !event.#stopImmediate;
  }
}

export class EventTarget {
  #listeners = new Map<string, Registration[]>();

  addEventListener(type: string, listener: Listener | null, options?: boolean | { once?: boolean }): void {
    if (listener == null) return;
    const list = this.#listeners.get(type) ?? [];
    if (list.some((r) => r.listener === listener)) return;
    list.push({ listener, once: typeof options === "object" && Boolean(options?.once) });
    this.#listeners.set(type, list);
  }

  removeEventListener(type: string, listener: Listener | null): void {
    const list = this.#listeners.get(type);
    if (!list) return;
    const i = list.findIndex((r) => r.listener === listener);
    if (i >= 0) list.splice(i, 1);
  }

  dispatchEvent(event: Event): boolean {
    if (!(event instanceof Event)) throw new TypeError("dispatchEvent requires an Event");
    Event.dispatchTo(event, this);
    for (const reg of [...(this.#listeners.get(event.type) ?? [])]) {
      if (reg.once) this.removeEventListener(event.type, reg.listener);
      if (typeof reg.listener === "function") reg.listener.call(this, event);
      else reg.listener.handleEvent(event);
      if (!Event.dispatchTo(event, this)) break;
    }
    return !event.defaultPrevented;
  }

  /** @internal whether anyone listens for `type` (the runtime asks this for "fetch"). */
  static hasListeners(target: EventTarget, type: string): boolean {
    return (target.#listeners.get(type)?.length ?? 0) > 0;
  }
}
