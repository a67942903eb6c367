/**
 * A request's path → the key it looks up in the asset index. The lookup is an exact match in the
 * index, never a filesystem path, and anything that could climb out of the folder or hide a separator
 * is refused outright: `.`/`..` segments (also as %2e), encoded slashes and backslashes (%2f, %5c),
 * backslashes, NUL and other control characters, malformed percent-encoding.
 */

/** Encoded NUL, slash and backslash: a client has no honest reason to send them in an asset path. */
const ENCODED_SEPARATOR = /%(?:00|2f|5c)/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const BAD_CHARS = /[\u0000-\u001f\u007f\\]/;

/** The decoded path, or null when it must be refused (the ingress answers 400). */
export function assetKey(rawPath: string): string | null {
  if (!rawPath.startsWith("/") || BAD_CHARS.test(rawPath) || ENCODED_SEPARATOR.test(rawPath)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (BAD_CHARS.test(decoded)) return null;
  for (const segment of decoded.split("/")) if (segment === "." || segment === "..") return null;
  return decoded;
}
