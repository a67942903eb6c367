import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MirrorSnapshot } from "./mirror-snapshot.js";
import { SecretBox } from "./secret-box.js";
import { SqliteMirror } from "./sqlite-mirror.js";
import { SqliteStore } from "./sqlite-store.js";
import { version } from "./store.case.js";

const box = new SecretBox(randomBytes(32));
const T = "2026-01-01T00:00:00.000Z";

function fresh() {
  const path = join(mkdtempSync(join(tmpdir(), "nano-mirror-")), "registry.db");
  const store = new SqliteStore(path, box);
  const mirror = new SqliteMirror(path);
  return { path, store, mirror };
}

const body = (code: string, routes: string[]) => ({
  code,
  manifest: JSON.stringify({ routes }),
  cached_data: Buffer.from([1, 2, 3]),
});

describe("SqliteMirror", () => {
  it("holds what a snapshot holds, readable as the serving side reads it; held versions are not copied again", () => {
    const { store, mirror } = fresh();
    mirror.adopt("registry.db");
    const first: MirrorSnapshot = {
      generation: 7,
      apps: [{ name: "a", created_at: T, updated_at: T, active_version: 2 }],
      versions: [
        { app: "a", version: 1, hash: "h1", created_at: T, body: body("one", ["a.test"]) },
        { app: "a", version: 2, hash: "h2", created_at: T, body: body("two", ["a2.test"]) },
      ],
      secrets: [{ app: "a", key: "K", sealed: box.seal("v", "a\0K") }],
      quarantines: [{ app: "a", until_ms: 5_000, level: 1, reason: "r", since: T }],
    };
    mirror.apply(first);
    expect(store.generation()).toBe(7);
    expect(store.getApp("a")).toMatchObject({ activeVersion: 2, routes: ["a2.test"], quarantine: { untilMs: 5_000 } });
    expect(store.getVersion("a", 1)).toMatchObject({ code: "one", cachedData: new Uint8Array([1, 2, 3]) });
    expect(store.getSecrets("a")).toEqual({ K: "v" });
    expect(mirror.held().size).toBe(2);

    // The app was removed and made again elsewhere: its old versions go, held ones stay without a body.
    mirror.apply({
      generation: 9,
      apps: [
        { name: "a", created_at: T, updated_at: T, active_version: 1 },
        { name: "b", created_at: T, updated_at: T, active_version: null },
      ],
      versions: [{ app: "a", version: 1, hash: "other", created_at: T, body: body("new one", ["n.test"]) }],
      secrets: [],
      quarantines: [],
    });
    expect(store.generation()).toBe(9);
    expect(store.listApps().map((x) => [x.name, x.activeVersion, x.quarantine])).toEqual([
      ["a", 1, null],
      ["b", null, null],
    ]);
    expect(store.getVersion("a", 1)?.code).toBe("new one");
    expect(store.getVersion("a", 2)).toBeNull();
    expect(store.getSecrets("a")).toEqual({});
    mirror.apply({
      generation: 10,
      apps: [{ name: "a", created_at: T, updated_at: T, active_version: 1 }],
      versions: [{ app: "a", version: 1, hash: "other", created_at: T, body: null }],
      secrets: [],
      quarantines: [],
    });
    expect(store.getVersion("a", 1)?.code).toBe("new one");
    expect(store.getApp("b")).toBeNull();
  });

  it("refuses to take over a single node's registry that holds apps", () => {
    const { path, store, mirror } = fresh();
    store.putVersionAndActivate("mine", version(1), "t");
    expect(() => mirror.adopt(path)).toThrow(
      expect.objectContaining({
        code: "NANO_ERR_CONFIG",
        message: expect.stringContaining("single node's registry with 1 app"),
      }),
    );
    const empty = fresh();
    empty.mirror.adopt(empty.path);
    empty.mirror.adopt(empty.path);
  });
});
