/**
 * https://encoding.spec.whatwg.org/ — TextEncoder/TextDecoder (+ streams) from @exodus/bytes, a
 * maintained pure-JS implementation of the Encoding Standard (all WHATWG labels, fatal, ignoreBOM, stream).
 */
export { TextDecoder, TextEncoder } from "@exodus/bytes/encoding.js";
