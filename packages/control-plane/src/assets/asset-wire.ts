/**
 * The asset index travels with the version's wire form as JSON bytes in a SharedArrayBuffer (a task
 * carries a handle, not a copy); each side parses it once per version, keyed by that buffer.
 */
import type { AssetIndex } from "./asset-index.js";

export class AssetIndexes {
  readonly #parsed = new WeakMap<SharedArrayBuffer, AssetIndex>();

  of(wire: SharedArrayBuffer): AssetIndex {
    let index = this.#parsed.get(wire);
    if (!index) {
      index = JSON.parse(Buffer.from(new Uint8Array(wire)).toString("utf8")) as AssetIndex;
      this.#parsed.set(wire, index);
    }
    return index;
  }
}
