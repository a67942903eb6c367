/** Human output: errors as one useful line (the code in brackets), details only when asked. */
import { isNanoError } from "@nano/worker";

export function printError(err: unknown): void {
  if (isNanoError(err)) {
    // One line: the message's first line, plus where in the app it happened when a frame says so.
    const [first, ...rest] = err.message.split("\n");
    const where = rest.map((l) => /\((app:[^)]+)\)|at (app:\S+)/.exec(l)).find(Boolean);
    const at = where && !(first as string).includes("[app:") ? ` (at ${where[1] ?? where[2]})` : "";
    console.error(`nano: ${first}${at} [${err.code}]`);
    if (process.env.NANO_DEBUG && rest.length) console.error(rest.join("\n"));
  } else if (err instanceof Error) {
    console.error(`nano: ${err.message}`);
    if (process.env.NANO_DEBUG) console.error(err.stack);
  } else {
    console.error(`nano: ${String(err)}`);
  }
}

/** A progress line on stderr while bundling and uploading, only when stderr is a terminal. */
export function progress(): (text: string | null) => void {
  const tty = process.stderr.isTTY;
  return (text) => {
    if (!tty) return;
    process.stderr.write(text === null ? "\r\x1b[K" : `\r\x1b[K${text}…`);
  };
}

/** Plain aligned columns. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (c ?? "").padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
