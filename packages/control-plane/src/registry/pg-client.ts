/**
 * The PostgreSQL client as the registry uses it (npm `postgres`). Its default reconnect backoff grows
 * to 20 s after a few failed attempts, and queries wait for the next attempt: during an outage an
 * admin write would hang that long before its 503, and after the database is back the first writes
 * would wait as long again. Capped at 1 s here, with a short connect timeout.
 */
import postgres from "postgres";

export const CONNECT_TIMEOUT_S = 3;
const MAX_BACKOFF_S = 1;

export function pgClient(url: string, opts: { max: number; connectTimeoutS?: number }): postgres.Sql {
  return postgres(url, {
    max: opts.max,
    connect_timeout: opts.connectTimeoutS ?? CONNECT_TIMEOUT_S,
    backoff: (attempt: number) => Math.min(MAX_BACKOFF_S, 0.05 * 2 ** attempt),
    onnotice: () => {},
  });
}
