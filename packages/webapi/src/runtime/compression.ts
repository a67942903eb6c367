// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://compression.spec.whatwg.org/ — CompressionStream and DecompressionStream for "deflate"
 * (RFC 1950), "deflate-raw" (RFC 1951) and "gzip" (RFC 1952) as TransformStreams. The DEFLATE coding
 * itself is fflate's (pure JS); the zlib and gzip framing is done here because the spec is stricter
 * than fflate's own wrappers: checksums and sizes must match, a gzip stream has one member, reserved
 * flags, FDICT and a bad header CRC are errors, and so is any input after the end. "brotli" is not
 * supported (a TypeError, as the constructor prescribes for unsupported formats).
 */
import type { Deflate, Inflate } from "fflate";
import { loadLazy } from "./lazy.js";
import {
  ArrayPrototypePush,
  copyBytes,
  Error as ErrorCtor,
  isInstanceOf,
  MathMin,
  String as StringCtor,
  subBytes,
  TypedArrayPrototypeIndexOf,
  TypedArrayPrototypeSet,
  TypeError,
  Uint8Array,
  uint8ArrayOf,
} from "./primordials.js";
import {
  type ReadableStream,
  TransformStream,
  type TransformStreamDefaultController,
  TransformStreamDefaultControllerPrototypeEnqueue,
  TransformStreamPrototypeGetReadable,
  TransformStreamPrototypeGetWritable,
  type WritableStream,
} from "./streams.js";
import { bufferSourceBytes, toDOMString } from "./webidl.js";

type Format = "deflate" | "deflate-raw" | "gzip";

/** fflate's codec, with its tables, loaded into the isolate the first time an app compresses (lazy.ts). */
const fflate = () => loadLazy("fflate") as { Deflate: typeof Deflate; Inflate: typeof Inflate };

function checkFormat(format: unknown, what: string): Format {
  const f = toDOMString(format);
  if (f !== "deflate" && f !== "deflate-raw" && f !== "gzip") throw new TypeError(`${what}: unsupported format "${f}"`);
  return f;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (RFC 1952 §8) continued from `crc` (start with 0). */
function crc32(crc: number, data: Uint8Array): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** Adler-32 (RFC 1950 §9) continued from `adler` (start with 1). */
function adler32(adler: number, data: Uint8Array): number {
  let a = adler & 0xffff;
  let b = adler >>> 16;
  for (let i = 0; i < data.length; ) {
    // 5552 bytes is the most that cannot overflow before the modulo (zlib's NMAX).
    const end = MathMin(i + 5552, data.length);
    for (; i < end; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const readLe32 = (b: Uint8Array, i: number) =>
  ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>> 0;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  TypedArrayPrototypeSet(out, a);
  TypedArrayPrototypeSet(out, b, a.length);
  return out;
}

/** One compression context: DEFLATE by fflate inside this format's header and trailer. */
class Compressor {
  #format: Format;
  #deflate: Deflate;
  #out: Uint8Array[] = [];
  #check: number;
  #size = 0;

  constructor(format: Format) {
    this.#format = format;
    this.#check = format === "deflate" ? 1 : 0;
    this.#deflate = new (fflate().Deflate)({ level: 6 }, (data) => {
      if (data.length > 0) ArrayPrototypePush(this.#out, data);
    });
    // zlib: CM 8 with a 32K window, default level, no dictionary. gzip: no flags, MTIME 0, OS Unix.
    if (format === "deflate") ArrayPrototypePush(this.#out, uint8ArrayOf(0x78, 0x9c));
    else if (format === "gzip") ArrayPrototypePush(this.#out, uint8ArrayOf(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3));
  }

  push(data: Uint8Array, final: boolean): Uint8Array[] {
    if (this.#format === "gzip") this.#check = crc32(this.#check, data);
    else if (this.#format === "deflate") this.#check = adler32(this.#check, data);
    this.#size = (this.#size + data.length) >>> 0;
    // fflate keeps no reference to the chunk, so the caller's buffer can be reused.
    if (data.length > 0 || final) this.#deflate.push(data, final);
    if (final) {
      const c = this.#check;
      const n = this.#size;
      if (this.#format === "gzip") {
        ArrayPrototypePush(
          this.#out,
          uint8ArrayOf(
            c & 0xff,
            (c >>> 8) & 0xff,
            (c >>> 16) & 0xff,
            (c >>> 24) & 0xff,
            n & 0xff,
            (n >>> 8) & 0xff,
            (n >>> 16) & 0xff,
            (n >>> 24) & 0xff,
          ),
        );
      } else if (this.#format === "deflate") {
        ArrayPrototypePush(this.#out, uint8ArrayOf(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff));
      }
    }
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

/** fflate's streaming inflater state that tells where the DEFLATE data ended (fflate 0.8.x, pinned). */
interface InflateState {
  /** pending input, starting at the byte that holds bit `s.p` */
  p: Uint8Array;
  s: { f?: number; l?: unknown; p?: number };
}

type Phase = "header" | "body" | "trailer" | "done";

/** Length of the gzip header at the start of `b`, null if more bytes are needed; throws if invalid. */
function gzipHeaderLength(b: Uint8Array): number | null {
  if (b.length < 10) return null;
  if (b[0] !== 0x1f || b[1] !== 0x8b) throw new TypeError("Not gzip data (bad magic bytes)");
  if (b[2] !== 8) throw new TypeError("Unsupported gzip compression method");
  const flags = b[3] as number;
  if (flags & 0xe0) throw new TypeError("Reserved gzip flags are set");
  let pos = 10;
  if (flags & 4) {
    if (b.length < pos + 2) return null;
    pos += 2 + ((b[pos] as number) | ((b[pos + 1] as number) << 8));
    if (b.length < pos) return null;
  }
  // FNAME (8), then FCOMMENT (16): zero-terminated.
  for (let flag = 8; flag <= 16; flag *= 2) {
    if (flags & flag) {
      const end = TypedArrayPrototypeIndexOf(b, 0, pos);
      if (end < 0) return null;
      pos = end + 1;
    }
  }
  if (flags & 2) {
    if (b.length < pos + 2) return null;
    const expected = (b[pos] as number) | ((b[pos + 1] as number) << 8);
    if ((crc32(0, subBytes(b, 0, pos)) & 0xffff) !== expected) throw new TypeError("Bad gzip header CRC");
    pos += 2;
  }
  return pos;
}

/** One decompression context: header, DEFLATE data (fflate), trailer, then nothing more. */
class Decompressor {
  #format: Format;
  #phase: Phase;
  #pending: Uint8Array = new Uint8Array(0);
  #inflate: Inflate;
  #out: Uint8Array[] = [];
  #check: number;
  #size = 0;

  constructor(format: Format) {
    this.#format = format;
    this.#phase = format === "deflate-raw" ? "body" : "header";
    this.#check = format === "deflate" ? 1 : 0;
    this.#inflate = new (fflate().Inflate)((data) => {
      if (data.length === 0) return;
      if (this.#format === "gzip") this.#check = crc32(this.#check, data);
      else if (this.#format === "deflate") this.#check = adler32(this.#check, data);
      this.#size = (this.#size + data.length) >>> 0;
      ArrayPrototypePush(this.#out, data);
    });
  }

  /** Decompresses `chunk`; what it produced is enqueued even when it then fails (as the spec orders). */
  push(chunk: Uint8Array, final: boolean, enqueue: (piece: Uint8Array) => void): void {
    let error: unknown = null;
    try {
      this.#step(chunk, final);
    } catch (err) {
      error = isInstanceOf(err, TypeError)
        ? err
        : new TypeError(
            `Decompression failed: ${isInstanceOf(err, ErrorCtor) ? (err as Error).message : StringCtor(err)}`,
          );
    }
    const out = this.#out;
    this.#out = [];
    for (let i = 0; i < out.length; i++) enqueue(out[i] as Uint8Array);
    if (error !== null) throw error;
  }

  #step(chunk: Uint8Array, final: boolean): void {
    if (this.#phase === "header") {
      this.#pending = concat(this.#pending, copyBytes(chunk));
      const b = this.#pending;
      let length: number | null;
      if (this.#format === "gzip") length = gzipHeaderLength(b);
      else if (b.length < 2) length = null;
      else {
        const cmf = b[0] as number;
        const flg = b[1] as number;
        if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + flg) % 31 !== 0) throw new TypeError("Bad zlib header");
        if (flg & 0x20) throw new TypeError("zlib preset dictionaries are not supported");
        length = 2;
      }
      if (length === null) {
        if (final) throw new TypeError("Compressed data ended inside the header");
        return;
      }
      this.#pending = new Uint8Array(0);
      this.#phase = "body";
      chunk = subBytes(b, length);
    }
    if (this.#phase === "body") {
      const inflate = this.#inflate;
      const state = inflate as unknown as InflateState;
      if (chunk.length > 0) inflate.push(copyBytes(chunk), false);
      if (!(state.s.f && !state.s.l)) {
        if (!final) return;
        inflate.push(new Uint8Array(0), true);
        if (!(state.s.f && !state.s.l)) throw new TypeError("Compressed data ended before the final block");
      }
      // The DEFLATE data ended; what follows its last (partial) byte is the trailer.
      const rest = subBytes(state.p, state.s.p ? 1 : 0);
      this.#phase = this.#format === "deflate-raw" ? "done" : "trailer";
      chunk = rest;
    }
    if (this.#phase === "trailer") {
      this.#pending = concat(this.#pending, copyBytes(chunk));
      const need = this.#format === "gzip" ? 8 : 4;
      if (this.#pending.length < need) {
        if (final) throw new TypeError("Compressed data ended inside the trailer");
        return;
      }
      const t = this.#pending;
      if (this.#format === "gzip") {
        if (readLe32(t, 0) !== this.#check) throw new TypeError("gzip CRC32 mismatch");
        if (readLe32(t, 4) !== this.#size) throw new TypeError("gzip ISIZE mismatch");
      } else {
        const adler =
          (((t[0] as number) << 24) | ((t[1] as number) << 16) | ((t[2] as number) << 8) | (t[3] as number)) >>> 0;
        if (adler !== this.#check) throw new TypeError("zlib Adler-32 mismatch");
      }
      this.#phase = "done";
      chunk = subBytes(t, need);
    }
    if (chunk.length > 0) throw new TypeError("Unexpected input after the end of the compressed data");
  }
}

/** https://compression.spec.whatwg.org/#compress-and-enqueue-a-chunk — the pieces, enqueued in order. */
function enqueueAll(controller: TransformStreamDefaultController<Uint8Array>, pieces: Uint8Array[]): void {
  for (let i = 0; i < pieces.length; i++) {
    TransformStreamDefaultControllerPrototypeEnqueue(controller, pieces[i] as Uint8Array);
  }
}

export class CompressionStream {
  #transform: TransformStream<unknown, Uint8Array>;

  constructor(format: "deflate" | "deflate-raw" | "gzip") {
    const context = new Compressor(checkFormat(format, "CompressionStream"));
    this.#transform = new TransformStream<unknown, Uint8Array>({
      transform(chunk, controller) {
        enqueueAll(controller, context.push(bufferSourceBytes(chunk, "CompressionStream chunk"), false));
      },
      flush(controller) {
        enqueueAll(controller, context.push(new Uint8Array(0), true));
      },
    });
  }
  get readable(): ReadableStream<Uint8Array> {
    return TransformStreamPrototypeGetReadable(this.#transform) as ReadableStream<Uint8Array>;
  }
  get writable(): WritableStream<unknown> {
    return TransformStreamPrototypeGetWritable(this.#transform) as WritableStream<unknown>;
  }
  get [Symbol.toStringTag](): string {
    return "CompressionStream";
  }
}

export class DecompressionStream {
  #transform: TransformStream<unknown, Uint8Array>;

  constructor(format: "deflate" | "deflate-raw" | "gzip") {
    const context = new Decompressor(checkFormat(format, "DecompressionStream"));
    this.#transform = new TransformStream<unknown, Uint8Array>({
      transform(chunk, controller) {
        const bytes = bufferSourceBytes(chunk, "DecompressionStream chunk");
        context.push(bytes, false, (piece) => TransformStreamDefaultControllerPrototypeEnqueue(controller, piece));
      },
      flush(controller) {
        context.push(new Uint8Array(0), true, (piece) =>
          TransformStreamDefaultControllerPrototypeEnqueue(controller, piece),
        );
      },
    });
  }
  get readable(): ReadableStream<Uint8Array> {
    return TransformStreamPrototypeGetReadable(this.#transform) as ReadableStream<Uint8Array>;
  }
  get writable(): WritableStream<unknown> {
    return TransformStreamPrototypeGetWritable(this.#transform) as WritableStream<unknown>;
  }
  get [Symbol.toStringTag](): string {
    return "DecompressionStream";
  }
}
