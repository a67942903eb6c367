import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";
import { configuredKey, keyFromFile } from "./secret-key.js";

describe("the configured secret key", () => {
  const dir = mkdtempSync(join(tmpdir(), "nano-key-"));
  const key = randomBytes(32);
  const same = new SecretBox(key).keyCheck();

  it("is the same key from NANO_SECRET_KEY, a file of 64 hex characters, or a file of 32 bytes", () => {
    writeFileSync(join(dir, "hex"), `${key.toString("hex")}\n`);
    writeFileSync(join(dir, "raw"), key);
    expect(configuredKey({ secretKey: key.toString("hex"), secretKeyFile: null })?.keyCheck()).toBe(same);
    expect(keyFromFile(join(dir, "hex")).keyCheck()).toBe(same);
    expect(keyFromFile(join(dir, "raw")).keyCheck()).toBe(same);
    expect(configuredKey({ secretKey: null, secretKeyFile: null })).toBeNull();
  });

  it("refuses a missing or malformed key file, naming it", () => {
    expect(() => keyFromFile(join(dir, "absent"))).toThrow(
      expect.objectContaining({ code: "NANO_ERR_CONFIG", message: expect.stringContaining(join(dir, "absent")) }),
    );
    writeFileSync(join(dir, "short"), "abcd\n");
    expect(() => keyFromFile(join(dir, "short"))).toThrow(/secret key file .*short holds 5 bytes, not 32/);
  });
});
