/**
 * `Range: bytes=…` (RFC 9110 §14): one range is served (206); several are not supported and get the
 * whole file (200), which the RFC allows; a syntactically invalid header is ignored the same way.
 */

export type RangeResult = { start: number; end: number } | "unsatisfiable" | null;

const SPEC = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i;

/** The inclusive byte range to send of a `size`-byte file, "unsatisfiable" (416), or null (send all). */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined || header.includes(",")) return null;
  const m = SPEC.exec(header);
  if (!m) return null;
  const [first, last] = [m[1] as string, m[2] as string];
  if (first === "" && last === "") return null;
  if (first === "") {
    // A suffix: the last n bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}
