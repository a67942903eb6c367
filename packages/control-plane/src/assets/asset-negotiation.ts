/** Which precompressed form to send for an Accept-Encoding (RFC 9110 §12.5.3): br before gzip. */
import type { AssetEncoding } from "./asset-index.js";

const PREFERENCE: AssetEncoding[] = ["br", "gzip"];

export function chooseEncoding(
  accept: string | undefined,
  available: Partial<Record<AssetEncoding, number>> | undefined,
): AssetEncoding | null {
  if (!accept || !available) return null;
  const q = new Map<string, number>();
  for (const part of accept.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Number(m[1]);
    }
    q.set(name, Number.isFinite(weight) ? weight : 0);
  }
  for (const enc of PREFERENCE) {
    if (available[enc] === undefined) continue;
    const weight = q.get(enc) ?? q.get("*") ?? 0;
    if (weight > 0) return enc;
  }
  return null;
}
