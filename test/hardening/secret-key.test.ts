/**
 * A replaced or deleted `secret.key`: `nano start` refuses to start, with one line naming the key
 * file and what to do, instead of writing a new key and answering a bare 500 for every app with
 * secrets. The original key brings everything back.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runNano } from "../helpers.js";
import { type Server, startServer, tryGet, until } from "../start-helpers.js";

const ARGS = ["--processes", "1", "--threads", "1"];
const bundle = `__nano_define(function (module) { module.exports = { default: { fetch(request, env) { return new Response("token=" + env.TOKEN) } } }; });`;

async function admin(server: Server, method: string, path: string, body: unknown) {
  const res = await fetch(`${server.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

async function serves(server: Server, text: string) {
  await until(async () => {
    const r = await tryGet(`${server.url}/`, "keyed.localhost");
    return "status" in r && r.status === 200 && r.body === text;
  }, `keyed to answer ${text}`);
}

/** `nano start` on the data directory, expected to refuse: its exit code and stderr. */
const refusedStart = (dataDir: string) =>
  runNano(["start", "--port", "0", "--admin-port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...ARGS], {
    env: { NANO_LOG_LEVEL: "warn" },
    timeoutMs: 60_000,
  });

describe("the secret key file", () => {
  it("replaced or deleted: nano start exits 1 with one line naming the file; the original key brings it back", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "nano-key-"));
    const keyFile = join(dataDir, "secret.key");
    let server = await startServer(dataDir, { args: ARGS });
    await admin(server, "POST", "/v1/apps/keyed/versions", { bundle, manifest: {} });
    await admin(server, "PUT", "/v1/apps/keyed/secrets/TOKEN", { value: "s3cr3t" });
    await serves(server, "token=s3cr3t");
    expect(await server.stop()).toBe(0);
    const original = readFileSync(keyFile);

    writeFileSync(keyFile, randomBytes(32));
    const replaced = await refusedStart(dataDir);
    expect(replaced.code).toBe(1);
    const replacedLines = replaced.stderr.trim().split("\n");
    expect(replacedLines, replaced.stderr).toHaveLength(1);
    expect(replacedLines[0]).toMatch(
      new RegExp(
        `^nano: the secret key file ${keyFile} is not the key .*restore the original key file.* \\[NANO_ERR_CONFIG\\]$`,
      ),
    );

    unlinkSync(keyFile);
    const deleted = await refusedStart(dataDir);
    expect(deleted.code).toBe(1);
    const deletedLines = deleted.stderr.trim().split("\n");
    expect(deletedLines, deleted.stderr).toHaveLength(1);
    expect(deletedLines[0]).toMatch(
      new RegExp(
        `^nano: the secret key file ${keyFile} is missing, .*restore the original key file.* \\[NANO_ERR_CONFIG\\]$`,
      ),
    );
    // No new key was written in its place.
    expect(existsSync(keyFile)).toBe(false);

    writeFileSync(keyFile, "");
    const empty = await refusedStart(dataDir);
    expect(empty.code).toBe(1);
    expect(empty.stderr.trim()).toMatch(
      new RegExp(`^nano: the secret key file ${keyFile} holds 0 bytes, not 32: .* \\[NANO_ERR_CONFIG\\]$`),
    );

    writeFileSync(keyFile, original, { mode: 0o600 });
    server = await startServer(dataDir, { args: ARGS });
    try {
      await serves(server, "token=s3cr3t");
    } finally {
      await server.stop();
    }
  }, 120_000);
});
