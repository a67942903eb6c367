/**
 * A runtime process's flight recorder: which app each of its isolate threads is running right now,
 * kept in a small file the supervisor reads after the process dies. A V8 fatal error aborts the whole
 * process from inside an isolate entry, so the record must already be outside the process when it
 * happens: each entry writes its slot with one synchronous pwrite (page cache, ~1 µs), which survives
 * the abort; no message round trip per request.
 *
 * Layout: SLOTS fixed slots of SLOT_BYTES, one per thread (by threadId). Byte 0 is 1 while the thread
 * is inside an entry and 0 outside; then the app name, NUL-terminated.
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";

export const RECORDER_SLOTS = 256;
export const RECORDER_SLOT_BYTES = 80;

/** Marks entries into one app's isolate; the isolate calls it around every synchronous entry. */
export interface EntryRecorder {
  enter(): void;
  leave(): void;
}

const IDLE = Buffer.from([0]);

export const NO_RECORDER: EntryRecorder = { enter() {}, leave() {} };

/** Creates (or zeroes) a recorder file before its runtime process starts. */
export function createRecorderFile(path: string): void {
  writeFileSync(path, Buffer.alloc(RECORDER_SLOTS * RECORDER_SLOT_BYTES), { mode: 0o600 });
}

/** The thread side: one open file, one slot. */
export class FlightRecorder {
  readonly #fd: number;
  readonly #offset: number;

  constructor(path: string, slot: number) {
    this.#fd = openSync(path, "r+");
    this.#offset = (slot % RECORDER_SLOTS) * RECORDER_SLOT_BYTES;
  }

  forApp(app: string): EntryRecorder {
    const record = Buffer.alloc(RECORDER_SLOT_BYTES);
    record[0] = 1;
    // App names are 1-63 ASCII characters (checked at deploy); a longer one is cut, never overflows.
    record.write(app.slice(0, RECORDER_SLOT_BYTES - 2), 1, "latin1");
    const fd = this.#fd;
    const offset = this.#offset;
    return {
      enter: () => writeSync(fd, record, 0, RECORDER_SLOT_BYTES, offset),
      leave: () => writeSync(fd, IDLE, 0, 1, offset),
    };
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** The supervisor side: the apps whose isolates were being entered when the process stopped. */
export function readRecorderFile(path: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return [];
  }
  const apps = new Set<string>();
  for (let off = 0; off + RECORDER_SLOT_BYTES <= bytes.length; off += RECORDER_SLOT_BYTES) {
    if (bytes[off] !== 1) continue;
    const end = bytes.indexOf(0, off + 1);
    const name = bytes.toString(
      "latin1",
      off + 1,
      end === -1 || end > off + RECORDER_SLOT_BYTES ? off + RECORDER_SLOT_BYTES : end,
    );
    if (name) apps.add(name);
  }
  return [...apps];
}
