/**
 * Which PostgreSQL failures mean "the database is away" (answered 503 NANO_ERR_REGISTRY_UNAVAILABLE,
 * retried by the caller) rather than a bug: no connection, a dropped one, or a server shutting down.
 */
import { NanoError } from "@nano/worker";
import postgres from "postgres";

/** SQLSTATE classes: 08 connection exception, 57P operator intervention (shutdown), 53 resources. */
const UNAVAILABLE_STATES = /^(08|57P|53)/;

export function isUnavailable(err: unknown): boolean {
  if (err instanceof NanoError) return err.code === "NANO_ERR_REGISTRY_UNAVAILABLE";
  if (err instanceof postgres.PostgresError) return UNAVAILABLE_STATES.test(err.code);
  // The client's own errors carry a code (CONNECTION_CLOSED, CONNECT_TIMEOUT, ECONNREFUSED, …).
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && code !== "";
}

/** The error as the admin API answers it: a database that is away becomes a retryable 503. */
export function registryError(err: unknown): unknown {
  if (err instanceof NanoError || !isUnavailable(err)) return err;
  const detail = (err as Error).message?.split("\n")[0] ?? String(err);
  return new NanoError("NANO_ERR_REGISTRY_UNAVAILABLE", `the registry database is unreachable (${detail})`, {
    cause: err,
  });
}

/** Runs one database call, turning "the database is away" into the admin API's retryable 503. */
export async function registryCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw registryError(err);
  }
}
