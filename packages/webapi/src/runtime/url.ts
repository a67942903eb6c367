/**
 * https://url.spec.whatwg.org/ — URL and URLSearchParams from whatwg-url, the reference implementation.
 * https://urlpattern.spec.whatwg.org/ — URLPattern from urlpattern-polyfill (the non-installing entry).
 */

export { URLPattern } from "urlpattern-polyfill/urlpattern";
export { URL, URLSearchParams } from "whatwg-url";
