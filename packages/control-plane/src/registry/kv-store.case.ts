/**
 * The shared suite every KV store runs (SQLite now; PostgreSQL when the registry has one): what the
 * apps and the admin API rely on, with a clock the suite moves.
 */
import { describe, expect, it } from "vitest";
import type { KvAdminStore } from "./kv-admin-store.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

export function runKvStoreSuite(
  name: string,
  open: (clock: { now: number }, maxNamespaceBytes?: number) => KvAdminStore,
): void {
  describe(`${name} (KV)`, () => {
    it("stores, overwrites and deletes values with their metadata", () => {
      const kv = open({ now: 1_000 });
      expect(kv.get("ns", "a")).toBeNull();
      kv.put("ns", "a", bytes("one"), '{"x":1}', null);
      expect(kv.get("ns", "a")).toMatchObject({ metadata: '{"x":1}', expiration: null });
      expect(text(kv.get("ns", "a")?.value)).toBe("one");
      kv.put("ns", "a", bytes("two"), null, null);
      expect(kv.get("ns", "a")).toMatchObject({ metadata: null });
      expect(text(kv.get("ns", "a")?.value)).toBe("two");
      expect(kv.get("other", "a")).toBeNull();
      kv.delete("ns", "a");
      kv.delete("ns", "a");
      expect(kv.get("ns", "a")).toBeNull();
      kv.close();
    });

    it("hides an expired key at once and purges it later", () => {
      const clock = { now: 1_000 };
      const kv = open(clock);
      kv.put("ns", "t", bytes("v"), null, 1_100);
      kv.put("ns", "keep", bytes("v"), null, null);
      expect(kv.list("ns", { prefix: "", limit: 10, cursor: null }).keys).toEqual([
        { name: "keep", expiration: null, metadata: null },
        { name: "t", expiration: 1_100, metadata: null },
      ]);
      clock.now = 1_100;
      expect(kv.get("ns", "t")).toBeNull();
      expect(kv.list("ns", { prefix: "", limit: 10, cursor: null }).keys.map((k) => k.name)).toEqual(["keep"]);
      expect(kv.namespaces()).toEqual([{ name: "ns", keys: 1, bytes: 4 + 1 }]);
      expect(kv.purgeExpired()).toBe(1);
      expect(kv.purgeExpired()).toBe(0);
      kv.close();
    });

    it("lists in UTF-8 byte order, by prefix, in pages", () => {
      const kv = open({ now: 1_000 });
      for (const k of ["b", "a", "é", "z", "ab", "a\u{10000}", "b0"]) kv.put("ns", k, bytes(k), null, null);
      const all = kv.list("ns", { prefix: "", limit: 1000, cursor: null });
      expect(all.keys.map((k) => k.name)).toEqual(["a", "ab", "a\u{10000}", "b", "b0", "z", "é"]);
      expect(all.cursor).toBeNull();
      expect(kv.list("ns", { prefix: "a", limit: 1000, cursor: null }).keys.map((k) => k.name)).toEqual([
        "a",
        "ab",
        "a\u{10000}",
      ]);
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = kv.list("ns", { prefix: "", limit: 2, cursor });
        names.push(...page.keys.map((k) => k.name));
        cursor = page.cursor;
        pages++;
      } while (cursor !== null);
      expect(names).toEqual(all.keys.map((k) => k.name));
      expect(pages).toBe(4);
      expect(() => kv.list("ns", { prefix: "", limit: 2, cursor: "%%%" })).toThrow(TypeError);
      kv.close();
    });

    it("keeps each namespace's usage with every write, and refuses a put over the quota", () => {
      const clock = { now: 1_000 };
      const kv = open(clock, 100);
      kv.put("ns", "a", new Uint8Array(50), null, null);
      kv.put("ns", "b", new Uint8Array(40), '{"x":1}', 1_100);
      expect(kv.usage()).toEqual([{ name: "ns", bytes: 51 + 48 }]);
      expect(() => kv.put("ns", "c", new Uint8Array(1), null, null)).toThrow(
        new RangeError('KV put: namespace "ns" would hold 101 bytes, over its limit of 100'),
      );
      expect(kv.get("ns", "c")).toBeNull();
      // Overwriting with a smaller value frees room; another namespace has its own quota.
      kv.put("ns", "a", new Uint8Array(10), null, null);
      kv.put("other", "a", new Uint8Array(90), null, null);
      expect(kv.usage()).toEqual([
        { name: "ns", bytes: 11 + 48 },
        { name: "other", bytes: 91 },
      ]);
      kv.delete("ns", "a");
      kv.delete("ns", "a");
      clock.now = 1_100;
      expect(kv.usage()).toEqual([
        { name: "ns", bytes: 48 },
        { name: "other", bytes: 91 },
      ]);
      expect(kv.purgeExpired()).toBe(1);
      expect(kv.usage()).toEqual([{ name: "other", bytes: 91 }]);
      kv.close();
    });

    it("reports live keys and bytes per namespace", () => {
      const kv = open({ now: 1_000 });
      kv.put("one", "k", bytes("12345"), '{"a":1}', null);
      kv.put("two", "kk", bytes(""), null, null);
      expect(kv.namespaces()).toEqual([
        { name: "one", keys: 1, bytes: 1 + 5 + 7 },
        { name: "two", keys: 1, bytes: 2 },
      ]);
      kv.close();
    });
  });
}
