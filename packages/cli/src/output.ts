/** Human output: errors as one useful line (the code in brackets), details only when asked. */
import { isNanoError } from "@nano/worker";

export function printError(err: unknown): void {
  if (isNanoError(err)) {
    console.error(`nano: ${err.message} [${err.code}]`);
  } else if (err instanceof Error) {
    console.error(`nano: ${err.message}`);
    if (process.env.NANO_DEBUG) console.error(err.stack);
  } else {
    console.error(`nano: ${String(err)}`);
  }
}
