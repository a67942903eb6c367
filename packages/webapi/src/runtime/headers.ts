// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://fetch.spec.whatwg.org/#headers-class — a header list of (lower-cased name, value) pairs with
 * guards, validation, `getSetCookie` and sorted, combined iteration.
 *
 * Written with primordials: what these lists hold becomes the header block the host sends, so no
 * built-in an app can replace may decide a name's case or a value's validity. The runtime's own
 * operations on a list (the exported functions below) reach its private state directly, never through
 * `Headers.prototype`, which the app can change.
 */
import {
  ArrayPrototypePush,
  ArrayPrototypeSort,
  ObjectKeys,
  ReflectApply,
  regExpTest,
  SafeSet,
  String as StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
  SymbolIterator,
  TypeError,
} from "./primordials.js";

export type HeadersGuard = "none" | "request" | "response" | "immutable";
export type HeadersInit = Headers | Iterable<Iterable<string>> | Record<string, string>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;

const isHttpWhitespace = (c: number) => c === 0x09 || c === 0x0a || c === 0x0d || c === 0x20;

/** https://fetch.spec.whatwg.org/#concept-header-value-normalize: strip leading/trailing HTTP whitespace. */
function normalizeValue(v: string): string {
  let start = 0;
  let end = v.length;
  while (start < end && isHttpWhitespace(StringPrototypeCharCodeAt(v, start))) start++;
  while (end > start && isHttpWhitespace(StringPrototypeCharCodeAt(v, end - 1))) end--;
  return start === 0 && end === v.length ? v : StringPrototypeSlice(v, start, end);
}

function checkName(name: string): string {
  if (!regExpTest(TOKEN, name)) throw new TypeError(`Invalid header name: "${name}"`);
  return StringPrototypeToLowerCase(name);
}

function checkValue(value: string): string {
  const v = normalizeValue(StringCtor(value));
  if (regExpTest(FORBIDDEN_IN_VALUE, v)) throw new TypeError(`Invalid header value: "${v}"`);
  return v;
}

type Entry = [name: string, value: string];

/** The list without the entries named `n` (a new array: iterators over the old one keep their view). */
function without(list: readonly Entry[], n: string, keepUpTo = -1): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as Entry;
    if (i <= keepUpTo || entry[0] !== n) ArrayPrototypePush(out, entry);
  }
  return out;
}

// The runtime's internal operations on a Headers (set by the class's static block).
let listOf: (h: Headers) => Entry[];
let setList: (h: Headers, list: Entry[]) => void;
let guardOf: (h: Headers) => HeadersGuard;
let setGuardOf: (h: Headers, guard: HeadersGuard) => void;
let isHeaders: (value: unknown) => value is Headers;

export class Headers {
  #list: Entry[] = [];
  #guard: HeadersGuard = "none";

  constructor(init?: HeadersInit) {
    if (init === undefined || init === null) return;
    if (isHeaders(init)) {
      const list = init.#list;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i] as Entry;
        ArrayPrototypePush(this.#list, [entry[0], entry[1]]);
      }
    } else if (typeof init === "object" && SymbolIterator in init) {
      // WebIDL sequence<sequence<ByteString>>: the app's own iterables, iterated as it made them.
      for (const pair of init as Iterable<Iterable<string>>) {
        const arr = [...pair];
        if (arr.length !== 2) throw new TypeError("Header pairs must have exactly two items");
        headersAppend(this, arr[0] as string, arr[1] as string);
      }
    } else if (typeof init === "object") {
      const keys = ObjectKeys(init);
      for (let i = 0; i < keys.length; i++) {
        const name = keys[i] as string;
        headersAppend(this, name, (init as Record<string, string>)[name] as string);
      }
    } else {
      throw new TypeError("Headers init must be an object or iterable");
    }
  }

  append(name: string, value: string): void {
    headersAppend(this, name, value);
  }

  delete(name: string): void {
    const n = checkName(StringCtor(name));
    checkGuard(this);
    this.#list = without(this.#list, n);
  }

  get(name: string): string | null {
    return headersGet(this, name);
  }

  getSetCookie(): string[] {
    const out: string[] = [];
    const list = this.#list;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as Entry;
      if (entry[0] === "set-cookie") ArrayPrototypePush(out, entry[1]);
    }
    return out;
  }

  has(name: string): boolean {
    return headersHas(this, name);
  }

  set(name: string, value: string): void {
    headersSet(this, name, value);
  }

  /** https://fetch.spec.whatwg.org/#concept-header-list-sort-and-combine */
  #sortedAndCombined(): Entry[] {
    const list = this.#list;
    const seen = new SafeSet<string>();
    const names: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const n = (list[i] as Entry)[0];
      if (!seen.has(n)) {
        seen.add(n);
        ArrayPrototypePush(names, n);
      }
    }
    ArrayPrototypeSort(names);
    const out: Entry[] = [];
    for (let i = 0; i < names.length; i++) {
      const n = names[i] as string;
      if (n === "set-cookie") {
        for (let j = 0; j < list.length; j++) {
          const entry = list[j] as Entry;
          if (entry[0] === n) ArrayPrototypePush(out, [n, entry[1]]);
        }
      } else ArrayPrototypePush(out, [n, combined(list, n) as string]);
    }
    return out;
  }

  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void {
    const entries = this.#sortedAndCombined();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      ReflectApply(callback, thisArg, [entry[1], entry[0], this]);
    }
  }

  *entries(): IterableIterator<[string, string]> {
    const entries = this.#sortedAndCombined();
    for (let i = 0; i < entries.length; i++) yield entries[i] as Entry;
  }
  *keys(): IterableIterator<string> {
    const entries = this.#sortedAndCombined();
    for (let i = 0; i < entries.length; i++) yield (entries[i] as Entry)[0];
  }
  *values(): IterableIterator<string> {
    const entries = this.#sortedAndCombined();
    for (let i = 0; i < entries.length; i++) yield (entries[i] as Entry)[1];
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  get [Symbol.toStringTag](): string {
    return "Headers";
  }

  static {
    listOf = (h) => h.#list;
    setList = (h, list) => {
      h.#list = list;
    };
    guardOf = (h) => h.#guard;
    setGuardOf = (h, guard) => {
      h.#guard = guard;
    };
    isHeaders = (value): value is Headers => typeof value === "object" && value !== null && #list in value;
  }
}

function checkMutable(guard: HeadersGuard): void {
  if (guard === "immutable") throw new TypeError("Headers are immutable");
}

/** The values named `n`, combined with ", " (null if there are none). */
function combined(list: readonly Entry[], n: string): string | null {
  let out: string | null = null;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as Entry;
    if (entry[0] === n) out = out === null ? entry[1] : `${out}, ${entry[1]}`;
  }
  return out;
}

/** https://fetch.spec.whatwg.org/#dom-headers-append */
function headersAppend(h: Headers, name: string, value: string): void {
  const n = checkName(StringCtor(name));
  const v = checkValue(value);
  checkGuard(h);
  ArrayPrototypePush(listOf(h), [n, v]);
}

function checkGuard(h: Headers): void {
  checkMutable(guardOf(h));
}

/** The runtime's `headers.get(name)`. */
export function headersGet(h: Headers, name: string): string | null {
  return combined(listOf(h), checkName(StringCtor(name)));
}

/** The runtime's `headers.has(name)`. */
export function headersHas(h: Headers, name: string): boolean {
  const n = checkName(StringCtor(name));
  const list = listOf(h);
  for (let i = 0; i < list.length; i++) if ((list[i] as Entry)[0] === n) return true;
  return false;
}

/** The runtime's `headers.set(name, value)`: https://fetch.spec.whatwg.org/#dom-headers-set */
export function headersSet(h: Headers, name: string, value: string): void {
  const n = checkName(StringCtor(name));
  const v = checkValue(value);
  checkGuard(h);
  const list = listOf(h);
  let i = 0;
  while (i < list.length && (list[i] as Entry)[0] !== n) i++;
  if (i === list.length) {
    ArrayPrototypePush(list, [n, v]);
    return;
  }
  list[i] = [n, v];
  setList(h, without(list, n, i));
}

/** The raw list, flattened for the host: [name, value, name, value, …] (header-block.ts checks it). */
export function flattenHeaders(h: Headers): string[] {
  const list = listOf(h);
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as Entry;
    ArrayPrototypePush(out, entry[0], entry[1]);
  }
  return out;
}

/** Headers from the host's flat list (already valid; names lower-cased here), with `guard`. */
export function headersFromFlat(flat: readonly string[], guard: HeadersGuard): Headers {
  const h = new Headers();
  const list = listOf(h);
  for (let i = 0; i + 1 < flat.length; i += 2)
    ArrayPrototypePush(list, [StringPrototypeToLowerCase(flat[i] as string), flat[i + 1] as string]);
  setGuardOf(h, guard);
  return h;
}

/** Sets `h`'s guard; returns `h`. */
export function setHeadersGuard(h: Headers, guard: HeadersGuard): Headers {
  setGuardOf(h, guard);
  return h;
}

/** Brand check (not `instanceof`, which an app can fake with `Headers[Symbol.hasInstance]`). */
export function isHeadersObject(value: unknown): value is Headers {
  return isHeaders(value);
}
