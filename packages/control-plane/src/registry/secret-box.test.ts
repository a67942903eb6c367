/** The secret key file: made once (0600), read after, never made where it must only be read. */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";

const keyFile = () => join(mkdtempSync(join(tmpdir(), "nano-key-")), "secret.key");

describe("SecretBox.fromFile", () => {
  it("makes a 32-byte key (0600) when there is none, and reads the same key after", () => {
    const path = keyFile();
    const made = SecretBox.fromFile(path);
    expect(made).toMatchObject({ path, created: true });
    expect(readFileSync(path).byteLength).toBe(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const read = SecretBox.fromFile(path);
    expect(read).toMatchObject({ path, created: false });
    expect(read.keyCheck()).toBe(made.keyCheck());
    expect(read.open(made.seal("v", "a\0K"), "a\0K")).toBe("v");
  });

  it("only reads with create: false: a missing file is a NANO_ERR_CONFIG naming it, and is not made", () => {
    const path = keyFile();
    expect(() => SecretBox.fromFile(path, { create: false })).toThrow(
      expect.objectContaining({ code: "NANO_ERR_CONFIG", message: `the secret key file ${path} is missing` }),
    );
    expect(existsSync(path)).toBe(false);
  });

  it.each([
    ["empty", 0],
    ["short", 16],
    ["long", 33],
  ])("refuses an %s key file, naming it", (_label, size) => {
    const path = keyFile();
    writeFileSync(path, randomBytes(size));
    expect(() => SecretBox.fromFile(path)).toThrow(
      expect.objectContaining({
        code: "NANO_ERR_CONFIG",
        message: expect.stringContaining(`the secret key file ${path} holds ${size} bytes, not 32`),
      }),
    );
    expect(readFileSync(path).byteLength).toBe(size);
  });

  it("names no file for a key given as bytes", () => {
    expect(() => new SecretBox(Buffer.alloc(3))).toThrow(/^the secret key holds 3 bytes, not 32/);
  });
});

describe("keyCheck", () => {
  it("is a MAC under the key: the same for one key, different for another, and not the key", () => {
    const key = randomBytes(32);
    const check = new SecretBox(key).keyCheck();
    expect(check).toMatch(/^[0-9a-f]{64}$/);
    expect(new SecretBox(Buffer.from(key)).keyCheck()).toBe(check);
    expect(new SecretBox(randomBytes(32)).keyCheck()).not.toBe(check);
    expect(check).not.toContain(key.toString("hex"));
  });
});
