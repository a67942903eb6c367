/**
 * https://url.spec.whatwg.org/ — URL and URLSearchParams from whatwg-url, the reference implementation,
 * behind a fast path: parsing with whatwg-url costs ~50–80 µs of isolate CPU, more than the rest of a
 * request, and nearly every app starts with `new URL(request.url)`. An absolute http(s) URL that the
 * parser would serialize to itself is read by a regular expression instead; its parts are kept as
 * strings, and whatwg-url's object is made only when the app changes the URL or reads `searchParams`.
 * https://urlpattern.spec.whatwg.org/ — URLPattern from urlpattern-polyfill (the non-installing entry).
 */
// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
import { URL as SpecURL, URLSearchParams } from "whatwg-url";
import { webidlInterface } from "./dom-exception.js";
import {
  RegExp as RegExpCtor,
  regExpTest,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  TypeError,
} from "./primordials.js";
import { toUSVString } from "./webidl.js";

export { URLPattern } from "urlpattern-polyfill/urlpattern";
export { URLSearchParams };

/**
 * An http(s) URL the URL parser would serialize to itself. Conservative: lower-case host whose last
 * label starts with a letter (no IPv4 forms), or a canonical dotted quad; no default or out-of-range
 * port; path and query only of characters that need no percent-encoding; no dot segments, no
 * fragment, no IDNA labels.
 */
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const SERIALIZED_HTTP_URL = new RegExpCtor(
  `^https?://(?:(?:${LABEL}\\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?|${OCTET}(?:\\.${OCTET}){3})` +
    "(?::(?!80/|443/)(?:[1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5]))?" +
    "/[A-Za-z0-9\\-._~!$&'()*+,;=:@%/]*(?:\\?[A-Za-z0-9\\-._~!$&()*+,;=:@%/?]*)?$",
);
const UNSAFE_PART = /\/\.\.?(?:\/|\?|$)|%2e|xn--/i;

/** Whether the URL parser would serialize `url` to itself (so it can skip the parser). */
export function isSerializedHttpUrl(url: string): boolean {
  return regExpTest(SERIALIZED_HTTP_URL, url) && !regExpTest(UNSAFE_PART, url);
}

export class URL {
  // The parts of a fast-path URL, as its getters return them.
  #href = "";
  #protocol = "";
  #host = "";
  #hostname = "";
  #port = "";
  #pathname = "";
  #search = "";
  /** whatwg-url's URL: from the start for any other input, or once the app changes this one. */
  #spec: SpecURL | null = null;

  constructor(url: string | URL, base?: string | URL) {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given; rest parameters would make `length` 0
    if (arguments.length === 0)
      throw new TypeError("Failed to construct 'URL': 1 argument required, but only 0 present.");
    const input = toUSVString(url);
    if (base === undefined && isSerializedHttpUrl(input)) {
      this.#href = input;
      const colon = StringPrototypeIndexOf(input, ":");
      this.#protocol = StringPrototypeSlice(input, 0, colon + 1);
      const pathStart = StringPrototypeIndexOf(input, "/", colon + 3);
      this.#host = StringPrototypeSlice(input, colon + 3, pathStart);
      const portColon = StringPrototypeIndexOf(this.#host, ":");
      this.#hostname = portColon < 0 ? this.#host : StringPrototypeSlice(this.#host, 0, portColon);
      this.#port = portColon < 0 ? "" : StringPrototypeSlice(this.#host, portColon + 1);
      const q = StringPrototypeIndexOf(input, "?", pathStart);
      this.#pathname = q < 0 ? StringPrototypeSlice(input, pathStart) : StringPrototypeSlice(input, pathStart, q);
      // "?" alone is an empty query: kept in href, "" as search.
      this.#search = q < 0 || q === input.length - 1 ? "" : StringPrototypeSlice(input, q);
      return;
    }
    this.#spec = base === undefined ? new SpecURL(input) : new SpecURL(input, toUSVString(base));
  }

  /** whatwg-url's URL for this one, made on first need (a setter, `searchParams`). */
  #full(): SpecURL {
    if (this.#spec === null) this.#spec = new SpecURL(this.#href);
    return this.#spec;
  }

  static canParse(url: string, base?: string): boolean {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given; rest parameters would make `length` 0
    if (arguments.length === 0) throw new TypeError("Failed to execute 'canParse': 1 argument required.");
    try {
      new URL(url, base);
      return true;
    } catch {
      return false;
    }
  }

  static parse(url: string, base?: string): URL | null {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given; rest parameters would make `length` 0
    if (arguments.length === 0) throw new TypeError("Failed to execute 'parse': 1 argument required.");
    try {
      return new URL(url, base);
    } catch {
      return null;
    }
  }

  get href(): string {
    return this.#spec === null ? this.#href : this.#spec.href;
  }
  set href(value: string) {
    this.#full().href = value;
  }
  get origin(): string {
    return this.#spec === null ? `${this.#protocol}//${this.#host}` : this.#spec.origin;
  }
  get protocol(): string {
    return this.#spec === null ? this.#protocol : this.#spec.protocol;
  }
  set protocol(value: string) {
    this.#full().protocol = value;
  }
  get username(): string {
    return this.#spec === null ? "" : this.#spec.username;
  }
  set username(value: string) {
    this.#full().username = value;
  }
  get password(): string {
    return this.#spec === null ? "" : this.#spec.password;
  }
  set password(value: string) {
    this.#full().password = value;
  }
  get host(): string {
    return this.#spec === null ? this.#host : this.#spec.host;
  }
  set host(value: string) {
    this.#full().host = value;
  }
  get hostname(): string {
    return this.#spec === null ? this.#hostname : this.#spec.hostname;
  }
  set hostname(value: string) {
    this.#full().hostname = value;
  }
  get port(): string {
    return this.#spec === null ? this.#port : this.#spec.port;
  }
  set port(value: string) {
    this.#full().port = value;
  }
  get pathname(): string {
    return this.#spec === null ? this.#pathname : this.#spec.pathname;
  }
  set pathname(value: string) {
    this.#full().pathname = value;
  }
  get search(): string {
    return this.#spec === null ? this.#search : this.#spec.search;
  }
  set search(value: string) {
    this.#full().search = value;
  }
  get searchParams(): URLSearchParams {
    return this.#full().searchParams;
  }
  get hash(): string {
    return this.#spec === null ? "" : this.#spec.hash;
  }
  set hash(value: string) {
    this.#full().hash = value;
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
}

webidlInterface(URL, "URL");
