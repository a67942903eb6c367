/**
 * The shared suite every asset store runs (SQLite, and PostgreSQL for several nodes): what the
 * deploy and the serving side rely on.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AssetStore } from "./asset-store.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

export function runAssetStoreSuite(name: string, open: () => AssetStore | Promise<AssetStore>): void {
  describe(`${name} (assets)`, () => {
    it("stores a blob with its compressed forms and reads each form back", async () => {
      const store = await open();
      const a = bytes("body { color: red }");
      const h = sha(a);
      expect(await store.missing([h])).toEqual([h]);
      await store.put(h, a, { gzip: bytes("gz"), br: bytes("brotli") });
      expect(await store.missing([h])).toEqual([]);
      expect(text(await store.get(h, "identity"))).toBe("body { color: red }");
      expect(text(await store.get(h, "gzip"))).toBe("gz");
      expect(text(await store.get(h, "br"))).toBe("brotli");
      expect((await store.info([h])).get(h)).toEqual({ sizes: { identity: a.byteLength, gzip: 2, br: 6 } });
      store.close();
    });

    it("answers which of many hashes are missing, in order and once each", async () => {
      const store = await open();
      const have = Array.from({ length: 1200 }, (_, i) => bytes(`file ${i}`));
      for (const b of have) await store.put(sha(b), b, {});
      const absent = [sha(bytes("x")), sha(bytes("y"))];
      const asked = [absent[0] as string, ...have.map(sha), absent[1] as string, absent[0] as string];
      expect(await store.missing(asked)).toEqual(absent);
      const info = await store.info(asked);
      expect(info.size).toBe(1200);
      expect(info.get(sha(have[7] as Uint8Array))).toEqual({ sizes: { identity: 6 } });
      store.close();
    });

    it("keeps the first copy when a hash is stored again, and has no form it was not given", async () => {
      const store = await open();
      const a = bytes("same");
      await store.put(sha(a), a, {});
      await store.put(sha(a), a, {});
      expect(text(await store.get(sha(a), "identity"))).toBe("same");
      expect(await store.get(sha(a), "br")).toBeNull();
      expect(await store.get(sha(bytes("never")), "identity")).toBeNull();
      store.close();
    });

    it("stores empty files", async () => {
      const store = await open();
      const empty = new Uint8Array(0);
      await store.put(sha(empty), empty, {});
      expect((await store.get(sha(empty), "identity"))?.byteLength).toBe(0);
      expect(await store.missing([sha(empty)])).toEqual([]);
      store.close();
    });
  });
}
