// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * WebAssembly memories live outside the V8 heap, where the isolate's memory limit does not see them:
 * an app limited to 16 MiB could touch gigabytes. So every memory an app can make is capped here:
 * a module's own memories get a maximum (declared, or added) of at most what is left of the app's
 * allowance, rewritten into the binary before V8 compiles it, and so do memories made with
 * `new WebAssembly.Memory`. A memory reserves its maximum while it (or its instance) is reachable;
 * `memory.grow` past it fails as the spec allows (-1 in wasm, RangeError in JS).
 */
import {
  ArrayPrototypePush,
  MathFloor,
  MathMin,
  RangeError,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteOffset,
  TypedArrayPrototypeGetLength,
  TypedArrayPrototypeSet,
  TypeError,
  Uint8Array,
  uncurryThis,
  WeakMap,
  WeakRef,
  WeakRefPrototypeDeref,
} from "./primordials.js";

export const PAGE_BYTES = 65536;

const WeakMapPrototypeGet = uncurryThis(WeakMap.prototype.get) as <K extends object, V>(m: WeakMap<K, V>, k: K) => V;
const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set) as <K extends object, V>(
  m: WeakMap<K, V>,
  k: K,
  v: V,
) => WeakMap<K, V>;

class WasmFormatError extends TypeError {}

/** Reads the wasm binary's LEB128 integers and section framing, as V8 does. */
class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }
  byte(): number {
    if (this.pos >= TypedArrayPrototypeGetLength(this.bytes)) throw new WasmFormatError("unexpected end");
    return this.bytes[this.pos++] as number;
  }
  /** An unsigned LEB128 of up to `bits` bits (as a double: exact below 2^53, saturating above). */
  leb(bits: number): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i * 7 < bits; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
    throw new WasmFormatError("integer too long");
  }
}

function writeLeb(out: number[], value: number): void {
  let v = value;
  do {
    let b = v % 128;
    v = MathFloor(v / 128);
    if (v > 0) b |= 0x80;
    ArrayPrototypePush(out, b);
  } while (v > 0);
}

const MEMORY_SECTION = 5;
const HAS_MAX = 1;
const SHARED = 2;
const MEMORY64 = 4;

/**
 * The module's bytes with each memory it defines capped at `capPages`, and the pages those
 * memories reserve in all. A binary this cannot read is left to V8, which refuses it the same way.
 */
export function capModuleMemories(source: Uint8Array, capPages: number): { bytes: Uint8Array; pages: number } {
  const length = TypedArrayPrototypeGetLength(source);
  if (length < 8) return { bytes: source, pages: 0 };
  try {
    const r = new Reader(source, 8);
    while (r.pos < length) {
      const sectionStart = r.pos;
      const id = r.byte();
      const size = r.leb(32);
      const payloadStart = r.pos;
      const end = payloadStart + size;
      if (end > length) return { bytes: source, pages: 0 };
      if (id !== MEMORY_SECTION) {
        r.pos = end;
        continue;
      }
      const out: number[] = [];
      const count = r.leb(32);
      writeLeb(out, count);
      let pages = 0;
      for (let i = 0; i < count; i++) {
        const flags = r.byte();
        if (flags > (HAS_MAX | SHARED | MEMORY64)) throw new WasmFormatError("unknown memory flags");
        const wide = (flags & MEMORY64) !== 0 ? 64 : 32;
        const min = r.leb(wide);
        const max = (flags & HAS_MAX) !== 0 ? r.leb(wide) : 1 / 0;
        if (min > capPages - pages) throw memoryOverLimit(min, capPages);
        // Never below the minimum: a maximum under it is V8's error to report, unchanged.
        const capped = MathMin(max, capPages - pages);
        pages += capped;
        ArrayPrototypePush(out, flags | HAS_MAX);
        writeLeb(out, min);
        writeLeb(out, capped);
      }
      if (r.pos !== end) return { bytes: source, pages: 0 };
      const header: number[] = [MEMORY_SECTION];
      writeLeb(header, out.length);
      const rewritten = new Uint8Array(sectionStart + header.length + out.length + (length - end));
      const buffer = TypedArrayPrototypeGetBuffer(source);
      const offset = TypedArrayPrototypeGetByteOffset(source);
      TypedArrayPrototypeSet(rewritten, new Uint8Array(buffer, offset, sectionStart));
      TypedArrayPrototypeSet(rewritten, header, sectionStart);
      TypedArrayPrototypeSet(rewritten, out, sectionStart + header.length);
      TypedArrayPrototypeSet(
        rewritten,
        new Uint8Array(buffer, offset + end, length - end),
        sectionStart + header.length + out.length,
      );
      return { bytes: rewritten, pages };
    }
    return { bytes: source, pages: 0 };
  } catch (err) {
    if (err instanceof WasmFormatError) return { bytes: source, pages: 0 };
    throw err;
  }
}

function memoryOverLimit(pages: number, capPages: number): RangeError {
  return new RangeError(
    `WebAssembly memory of ${pages * (PAGE_BYTES / 1024)} KiB is over what is left of this app's ` +
      `${capPages * (PAGE_BYTES / 1024)} KiB for WebAssembly memories (limits.memoryMb)`,
  );
}

/** The pages an isolate's memories reserve, released once the objects that hold them are gone. */
export class MemoryAllowance {
  readonly capPages: number;
  #holders: { refs: WeakRef<object>[]; pages: number }[] = [];
  #modulePages = new WeakMap<object, number>();

  constructor(capPages: number) {
    this.capPages = capPages;
  }

  /** Pages not reserved by a memory still reachable. */
  left(): number {
    const kept: { refs: WeakRef<object>[]; pages: number }[] = [];
    let used = 0;
    for (let i = 0; i < this.#holders.length; i++) {
      const h = this.#holders[i] as { refs: WeakRef<object>[]; pages: number };
      let alive = false;
      for (let j = 0; j < h.refs.length && !alive; j++)
        alive = WeakRefPrototypeDeref(h.refs[j] as WeakRef<object>) !== undefined;
      if (!alive) continue;
      ArrayPrototypePush(kept, h);
      used += h.pages;
    }
    this.#holders = kept;
    return this.capPages - used;
  }

  /** Refuses `pages` more than what is left. */
  check(pages: number): void {
    if (pages > 0 && pages > this.left()) throw memoryOverLimit(pages, this.capPages);
  }

  hold(pages: number, holders: object[]): void {
    if (pages <= 0) return;
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < holders.length; i++) ArrayPrototypePush(refs, new WeakRef(holders[i] as object));
    ArrayPrototypePush(this.#holders, { refs, pages });
  }

  setModulePages(module: object, pages: number): void {
    WeakMapPrototypeSet(this.#modulePages, module, pages);
  }

  modulePages(module: object): number {
    return WeakMapPrototypeGet(this.#modulePages, module) ?? 0;
  }
}
