/** https://url.spec.whatwg.org/ — URL and URLSearchParams from whatwg-url, the reference implementation. */
export { URL, URLSearchParams } from "whatwg-url";
