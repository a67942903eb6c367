// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://webidl.spec.whatwg.org/#js-type-mapping — the argument and dictionary conversions the event
 * constructors, EventTarget's methods and reportError share.
 */
import { MathTrunc, NumberIsFinite, TypeError } from "../primordials.js";

export function requireArgs(given: number, needed: number, what: string): void {
  if (given < needed) {
    throw new TypeError(`${what}: ${needed} argument${needed > 1 ? "s" : ""} required, but only ${given} present`);
  }
}

/** https://webidl.spec.whatwg.org/#js-dictionary — undefined and null are the empty dictionary. */
export function dictionary(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" && typeof value !== "function") throw new TypeError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** Reads a dictionary member once: its default when undefined, else converted. */
export function member<T>(dict: Record<string, unknown>, key: string, fallback: T, convert: (value: unknown) => T): T {
  const value = dict[key];
  return value === undefined ? fallback : convert(value);
}

/** https://webidl.spec.whatwg.org/#js-unsigned-long */
export function toUnsignedLong(value: unknown): number {
  const n = +(value as number);
  if (!NumberIsFinite(n)) return 0;
  const t = MathTrunc(n) % 2 ** 32;
  return t < 0 ? t + 2 ** 32 : t + 0;
}
