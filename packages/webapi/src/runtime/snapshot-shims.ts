/**
 * Runs first. Inside `createSnapshot` the context lacks SharedArrayBuffer (DESIGN.md §6), but
 * webidl-conversions reads `SharedArrayBuffer.prototype` at load time. A placeholder makes that read
 * succeed; `removeSnapshotShims` deletes it once every module has loaded, so apps never see it.
 */
const g = globalThis as Record<string, unknown>;

const missingSab = typeof g.SharedArrayBuffer === "undefined";

if (missingSab) {
  class SharedArrayBufferPlaceholder {
    get byteLength(): number {
      throw new TypeError("not a SharedArrayBuffer");
    }
    get growable(): boolean {
      throw new TypeError("not a SharedArrayBuffer");
    }
  }
  g.SharedArrayBuffer = SharedArrayBufferPlaceholder;
}

export function removeSnapshotShims(): void {
  if (missingSab) delete g.SharedArrayBuffer;
}
