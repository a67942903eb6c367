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
  ReflectApply,
  regExpTest,
  SafeSet,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
  TypeError,
} from "./primordials.js";
import { iteratorMethod, requireArgs, toByteString, toCallback, toRecord, toSequence } from "./webidl.js";

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

function checkName(value: unknown): string {
  const name = toByteString(value, "A header name");
  if (!regExpTest(TOKEN, name)) throw new TypeError(`Invalid header name: "${name}"`);
  return StringPrototypeToLowerCase(name);
}

function checkValue(value: unknown): string {
  const v = normalizeValue(toByteString(value, "A header value"));
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
    if (init === undefined) return;
    fillHeaders(this, convertHeadersInit(init));
  }

  append(name: string, value: string): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "Headers.append");
    headersAppend(this, name, value);
  }

  delete(name: string): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Headers.delete");
    const n = checkName(name);
    checkGuard(this);
    this.#list = without(this.#list, n);
  }

  get(name: string): string | null {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Headers.get");
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
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Headers.has");
    return headersHas(this, name);
  }

  set(name: string, value: string): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 2, "Headers.set");
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
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "Headers.forEach");
    toCallback(callback, "Headers.forEach: the callback");
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

/**
 * https://fetch.spec.whatwg.org/#typedefdef-headersinit — `(sequence<sequence<ByteString>> or
 * record<ByteString, ByteString>)`: an object with an @@iterator is a sequence, any other object a
 * record, anything else a TypeError. A Headers object is copied from its list directly.
 */
export function convertHeadersInit(init: unknown): Headers | [string, string][] {
  if (isHeaders(init)) return init;
  if ((typeof init !== "object" || init === null) && typeof init !== "function") {
    throw new TypeError("Headers init must be a sequence of pairs or a record");
  }
  const method = iteratorMethod(init, "Headers init");
  if (method === undefined) {
    return toRecord(
      init,
      "Headers init",
      (k) => toByteString(k, "A header name"),
      (v) => toByteString(v, "A header value"),
    );
  }
  return toSequence(
    init,
    "Headers init",
    (pair) => {
      const items = toSequence(pair, "A header pair", (v) => toByteString(v, "A header name or value"));
      if (items.length !== 2) throw new TypeError("Header pairs must have exactly two items");
      return [items[0], items[1]] as [string, string];
    },
    method,
  );
}

/** https://fetch.spec.whatwg.org/#concept-headers-fill — from a converted HeadersInit. */
export function fillHeaders(h: Headers, init: Headers | [string, string][]): void {
  const list = isHeaders(init) ? listOf(init) : init;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as Entry;
    headersAppend(h, entry[0], entry[1]);
  }
}

/** https://fetch.spec.whatwg.org/#dom-headers-append */
function headersAppend(h: Headers, name: unknown, value: unknown): void {
  const n = checkName(name);
  const v = checkValue(value);
  checkGuard(h);
  ArrayPrototypePush(listOf(h), [n, v]);
}

function checkGuard(h: Headers): void {
  checkMutable(guardOf(h));
}

/** The runtime's `headers.get(name)`. */
export function headersGet(h: Headers, name: string): string | null {
  return combined(listOf(h), checkName(name));
}

/** The runtime's `headers.has(name)`. */
export function headersHas(h: Headers, name: string): boolean {
  const n = checkName(name);
  const list = listOf(h);
  for (let i = 0; i < list.length; i++) if ((list[i] as Entry)[0] === n) return true;
  return false;
}

/** The runtime's `headers.set(name, value)`: https://fetch.spec.whatwg.org/#dom-headers-set */
export function headersSet(h: Headers, name: unknown, value: unknown): void {
  const n = checkName(name);
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
