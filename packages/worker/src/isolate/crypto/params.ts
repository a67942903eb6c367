/** Reading the isolate's params: the isolate is untrusted, so every member is checked for its type. */
import { type Format, type Params, USAGES, type Usage } from "./key.js";

export function member(p: Params, name: string): unknown {
  return Object.hasOwn(p, name) ? p[name] : undefined;
}

export function str(p: Params, name: string): string {
  const v = member(p, name);
  if (typeof v !== "string") throw new TypeError(`${name} must be a string`);
  return v;
}

export function optNum(p: Params, name: string): number | undefined {
  const v = member(p, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new TypeError(`${name} must be an integer`);
  return v;
}

export function num(p: Params, name: string): number {
  const v = optNum(p, name);
  if (v === undefined) throw new TypeError(`${name} is required`);
  return v;
}

export function obj(p: Params, name: string): Params {
  const v = member(p, name);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new TypeError(`${name} must be an object`);
  return v as Params;
}

export function asBuffer(v: unknown): Buffer {
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError("expected bytes");
}

/** A byte member of the params, carried in `data` at the index the params name. */
export function bytes(p: Params, name: string, data: readonly unknown[]): Buffer {
  const i = num(p, name);
  if (i >= data.length) throw new TypeError(`${name}: no such data argument`);
  return asBuffer(data[i]);
}

export function optBytes(p: Params, name: string, data: readonly unknown[]): Buffer | undefined {
  return member(p, name) === undefined || member(p, name) === null ? undefined : bytes(p, name, data);
}

export function usagesOf(p: Params): Usage[] {
  const v = member(p, "usages");
  if (!Array.isArray(v) || !v.every((u) => USAGES.includes(u as Usage))) throw new TypeError("invalid key usages");
  return USAGES.filter((u) => v.includes(u));
}

export function formatOf(p: Params): Format {
  const f = str(p, "format");
  if (f !== "raw" && f !== "spki" && f !== "pkcs8" && f !== "jwk") throw new TypeError(`unknown key format ${f}`);
  return f;
}
