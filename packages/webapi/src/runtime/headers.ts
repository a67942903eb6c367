/**
 * https://fetch.spec.whatwg.org/#headers-class — a header list of (lower-cased name, value) pairs with
 * guards, validation, `getSetCookie` and sorted, combined iteration.
 */
export type HeadersGuard = "none" | "request" | "response" | "immutable";
export type HeadersInit = Headers | Iterable<Iterable<string>> | Record<string, string>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// https://fetch.spec.whatwg.org/#concept-header-value-normalize: strip leading/trailing HTTP whitespace.
const normalizeValue = (v: string) => v.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");

function checkName(name: string): string {
  if (!TOKEN.test(name)) throw new TypeError(`Invalid header name: "${name}"`);
  return name.toLowerCase();
}

function checkValue(value: string): string {
  const v = normalizeValue(String(value));
  if (/[\0\r\n]/.test(v)) throw new TypeError(`Invalid header value: "${v}"`);
  return v;
}

export class Headers {
  #list: [string, string][] = [];
  #guard: HeadersGuard = "none";

  constructor(init?: HeadersInit) {
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      for (const [n, v] of init.#list) this.#list.push([n, v]);
    } else if (typeof init === "object" && Symbol.iterator in init) {
      for (const pair of init as Iterable<Iterable<string>>) {
        const arr = [...pair];
        if (arr.length !== 2) throw new TypeError("Header pairs must have exactly two items");
        this.append(arr[0] as string, arr[1] as string);
      }
    } else if (typeof init === "object") {
      for (const name of Object.keys(init)) this.append(name, (init as Record<string, string>)[name] as string);
    } else {
      throw new TypeError("Headers init must be an object or iterable");
    }
  }

  #checkMutable(): void {
    if (this.#guard === "immutable") throw new TypeError("Headers are immutable");
  }

  append(name: string, value: string): void {
    const n = checkName(String(name));
    const v = checkValue(value);
    this.#checkMutable();
    this.#list.push([n, v]);
  }

  delete(name: string): void {
    const n = checkName(String(name));
    this.#checkMutable();
    this.#list = this.#list.filter(([k]) => k !== n);
  }

  get(name: string): string | null {
    const n = checkName(String(name));
    const values = this.#list.filter(([k]) => k === n).map(([, v]) => v);
    return values.length === 0 ? null : values.join(", ");
  }

  getSetCookie(): string[] {
    return this.#list.filter(([k]) => k === "set-cookie").map(([, v]) => v);
  }

  has(name: string): boolean {
    const n = checkName(String(name));
    return this.#list.some(([k]) => k === n);
  }

  set(name: string, value: string): void {
    const n = checkName(String(name));
    const v = checkValue(value);
    this.#checkMutable();
    const i = this.#list.findIndex(([k]) => k === n);
    if (i < 0) {
      this.#list.push([n, v]);
      return;
    }
    this.#list[i] = [n, v];
    this.#list = this.#list.filter(([k], j) => j <= i || k !== n);
  }

  /** https://fetch.spec.whatwg.org/#concept-header-list-sort-and-combine */
  #sortedAndCombined(): [string, string][] {
    const names = [...new Set(this.#list.map(([k]) => k))].sort();
    const out: [string, string][] = [];
    for (const n of names) {
      if (n === "set-cookie") for (const v of this.getSetCookie()) out.push([n, v]);
      else out.push([n, this.get(n) as string]);
    }
    return out;
  }

  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void {
    for (const [n, v] of this.#sortedAndCombined()) callback.call(thisArg, v, n, this);
  }

  *entries(): IterableIterator<[string, string]> {
    yield* this.#sortedAndCombined();
  }
  *keys(): IterableIterator<string> {
    for (const [n] of this.#sortedAndCombined()) yield n;
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.#sortedAndCombined()) yield v;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  get [Symbol.toStringTag](): string {
    return "Headers";
  }

  /** @internal the raw list, flattened for the host: [name, value, name, value, …]. */
  static flatten(h: Headers): string[] {
    return h.#list.flat();
  }
  /** @internal builds Headers from the host's flat list without re-validating. */
  static fromFlat(flat: string[], guard: HeadersGuard): Headers {
    const h = new Headers();
    for (let i = 0; i + 1 < flat.length; i += 2)
      h.#list.push([(flat[i] as string).toLowerCase(), flat[i + 1] as string]);
    h.#guard = guard;
    return h;
  }
  /** @internal */
  static setGuard(h: Headers, guard: HeadersGuard): Headers {
    h.#guard = guard;
    return h;
  }
}
