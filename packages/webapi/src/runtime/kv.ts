// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://developers.cloudflare.com/kv/api/ — a KV namespace binding (`env.BINDING`). Each call is one
 * synchronous host call (`kv` in bridge-contract.ts); the host owns the storage, checks every argument
 * again (this side's checks only give the app its errors early) and counts the operation against
 * `limits.kvOperations`. The promises settle in the same turn: the value is on disk when `put` resolves.
 * Errors from the host cross as `Name<US>message` (CRYPTO_ERROR_SEPARATOR) and become TypeError or
 * RangeError here.
 */
import { type BridgeFunctions, CRYPTO_ERROR_SEPARATOR, type KvOp } from "../bridge-contract.js";
import { webidlInterface } from "./dom-exception.js";
import {
  ArrayBufferIsView,
  ArrayPrototypePush,
  copyBuffer,
  copyBytes,
  Error as ErrorCtor,
  isArrayBuffer,
  isInstanceOf,
  isUint8Array,
  JSONParse,
  JSONStringify,
  NumberIsNaN,
  nullProto,
  ObjectFreeze,
  RangeError,
  ReflectApply,
  String as StringCtor,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  TypedArrayPrototypeGetBuffer,
  TypedArrayPrototypeGetByteLength,
  TypeError,
  Uint8Array,
  viewBytes,
  wholeBuffer,
} from "./primordials.js";
import {
  byteStreamOf,
  concatBytes,
  isReadableStream,
  ReadableStreamDefaultReaderPrototypeCancel,
  ReadableStreamDefaultReaderPrototypeRead,
  ReadableStreamPrototypeGetReader,
} from "./streams.js";
import { utf8Decode, utf8Encode } from "./utf8.js";
import { toDOMString } from "./webidl.js";

type HostKv = BridgeFunctions["kv"];

/** The host's limit on a value; a stream is read only up to it. */
const MAX_VALUE_BYTES = 25 * 1024 * 1024;
const GET_TYPES = ["text", "json", "arrayBuffer", "stream"];

let construct = false;

function callHost(host: HostKv, op: KvOp, binding: string, key: string, options: string, value?: ArrayBuffer) {
  let text: string;
  try {
    const args: unknown[] = [op, binding, key, options];
    if (value !== undefined) args[4] = value;
    return ReflectApply(host, undefined, args) as ArrayBuffer | string | null | undefined;
  } catch (err) {
    text = isInstanceOf(err, ErrorCtor) ? StringCtor((err as Error).message) : StringCtor(err);
  }
  const at = StringPrototypeIndexOf(text, CRYPTO_ERROR_SEPARATOR);
  if (at < 0) throw new ErrorCtor(text);
  const message = StringPrototypeSlice(text, at + 1);
  throw StringPrototypeSlice(text, 0, at) === "RangeError" ? new RangeError(message) : new TypeError(message);
}

function getType(options: unknown): string {
  let type: unknown = "text";
  if (typeof options === "string") type = options;
  else if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw new TypeError("KV get: the options must be a type or an object");
    const o = options as { type?: unknown; cacheTtl?: unknown };
    if (o.type !== undefined) type = o.type;
    const ttl = o.cacheTtl;
    // Accepted as on Workers, and changes nothing: every read here sees the latest write.
    if (ttl !== undefined && !(typeof ttl === "number" && ttl >= 60)) {
      throw new TypeError(`KV get: invalid cacheTtl ${StringCtor(ttl)}: it must be a number of at least 60 seconds`);
    }
  }
  let known = false;
  for (let i = 0; i < GET_TYPES.length; i++) if (GET_TYPES[i] === type) known = true;
  if (!known)
    throw new TypeError(`KV get: unknown response type "${StringCtor(type)}" (text, json, arrayBuffer or stream)`);
  return type as string;
}

/** The host's answer to `get`: a 4-byte big-endian header length, the header JSON, then the value. */
function unpack(packed: ArrayBuffer): { value: Uint8Array; metadata: unknown } {
  const all = new Uint8Array(packed);
  const n = ((all[0] as number) << 24) | ((all[1] as number) << 16) | ((all[2] as number) << 8) | (all[3] as number);
  const header = JSONParse(utf8Decode(new Uint8Array(packed, 4, n))) as { m: string | null };
  return {
    value: new Uint8Array(packed, 4 + n, TypedArrayPrototypeGetByteLength(all) - 4 - n),
    metadata: header.m === null ? null : JSONParse(header.m),
  };
}

function decode(value: Uint8Array, type: string): unknown {
  if (type === "text") return utf8Decode(value, true);
  if (type === "json") return JSONParse(utf8Decode(value, true));
  if (type === "arrayBuffer") return TypedArrayPrototypeGetBuffer(copyBytes(value));
  return byteStreamOf(value);
}

async function valueBytes(value: unknown): Promise<ArrayBuffer> {
  if (typeof value === "string") return TypedArrayPrototypeGetBuffer(utf8Encode(value));
  if (isArrayBuffer(value)) return copyBuffer(value);
  if (ArrayBufferIsView(value)) return wholeBuffer(copyBytes(viewBytes(value)));
  if (isReadableStream(value)) {
    const reader = ReadableStreamPrototypeGetReader(value);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const result = await ReadableStreamDefaultReaderPrototypeRead(reader);
      if (result.done) break;
      const chunk = result.value;
      if (!isUint8Array(chunk)) throw new TypeError("KV put: the stream gave a chunk that is not a Uint8Array");
      total += TypedArrayPrototypeGetByteLength(chunk);
      if (total > MAX_VALUE_BYTES) {
        void ReadableStreamDefaultReaderPrototypeCancel(reader, undefined);
        throw new RangeError(`KV put: the value is over the limit of ${MAX_VALUE_BYTES} bytes`);
      }
      ArrayPrototypePush(chunks, copyBytes(chunk));
    }
    return wholeBuffer(concatBytes(chunks, total));
  }
  throw new TypeError("KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values");
}

export class KVNamespace {
  readonly #host: HostKv;
  readonly #binding: string;

  constructor(host: HostKv, binding: string) {
    if (!construct) throw new TypeError("Illegal constructor");
    this.#host = host;
    this.#binding = binding;
  }

  async get(key: unknown, options?: unknown): Promise<unknown> {
    const type = getType(options);
    const packed = callHost(this.#host, "get", this.#binding, toDOMString(key), "");
    return packed === null ? null : decode(unpack(packed as ArrayBuffer).value, type);
  }

  async getWithMetadata(key: unknown, options?: unknown): Promise<unknown> {
    const type = getType(options);
    const packed = callHost(this.#host, "get", this.#binding, toDOMString(key), "");
    if (packed === null) return { value: null, metadata: null, cacheStatus: null };
    const { value, metadata } = unpack(packed as ArrayBuffer);
    return { value: decode(value, type), metadata, cacheStatus: null };
  }

  async put(key: unknown, value: unknown, options?: unknown): Promise<void> {
    const name = toDOMString(key);
    const opts = nullProto({}) as { expiration?: number; expirationTtl?: number; metadata?: string };
    if (options !== undefined && options !== null) {
      if (typeof options !== "object") throw new TypeError("KV put: the options must be an object");
      const o = options as { expiration?: unknown; expirationTtl?: unknown; metadata?: unknown };
      if (o.expiration !== undefined) opts.expiration = toNumber(o.expiration, "expiration");
      if (o.expirationTtl !== undefined) opts.expirationTtl = toNumber(o.expirationTtl, "expirationTtl");
      if (o.metadata !== undefined && o.metadata !== null) {
        const json = JSONStringify(o.metadata);
        if (typeof json !== "string") throw new TypeError("KV put: the metadata must be serializable to JSON");
        opts.metadata = json;
      }
    }
    const bytes = await valueBytes(value);
    callHost(this.#host, "put", this.#binding, name, JSONStringify(opts), bytes);
  }

  async delete(key: unknown): Promise<void> {
    callHost(this.#host, "delete", this.#binding, toDOMString(key), "");
  }

  async list(options?: unknown): Promise<unknown> {
    const opts = nullProto({}) as { prefix?: string; limit?: number; cursor?: string };
    if (options !== undefined && options !== null) {
      if (typeof options !== "object") throw new TypeError("KV list: the options must be an object");
      const o = options as { prefix?: unknown; limit?: unknown; cursor?: unknown };
      if (o.prefix !== undefined && o.prefix !== null) opts.prefix = toDOMString(o.prefix);
      if (o.limit !== undefined && o.limit !== null) opts.limit = toNumber(o.limit, "limit");
      if (o.cursor !== undefined && o.cursor !== null && o.cursor !== "") opts.cursor = toDOMString(o.cursor);
    }
    const page = JSONParse(callHost(this.#host, "list", this.#binding, "", JSONStringify(opts)) as string) as {
      keys: { name: string; expiration: number | null; metadata: string | null }[];
      cursor: string | null;
    };
    const keys: unknown[] = [];
    for (let i = 0; i < page.keys.length; i++) {
      const k = page.keys[i] as { name: string; expiration: number | null; metadata: string | null };
      // Literals, not assignments: a setter the app put on Object.prototype sees nothing.
      const metadata = k.metadata === null ? undefined : JSONParse(k.metadata);
      let entry: unknown;
      if (k.expiration === null) entry = metadata === undefined ? { name: k.name } : { name: k.name, metadata };
      else if (metadata === undefined) entry = { name: k.name, expiration: k.expiration };
      else entry = { name: k.name, expiration: k.expiration, metadata };
      ArrayPrototypePush(keys, entry);
    }
    return page.cursor === null
      ? { keys, list_complete: true, cacheStatus: null }
      : { keys, list_complete: false, cursor: page.cursor, cacheStatus: null };
  }
}

function toNumber(value: unknown, what: string): number {
  if (typeof value !== "number" || NumberIsNaN(value)) throw new TypeError(`KV put: ${what} must be a number`);
  return value;
}

webidlInterface(KVNamespace, "KVNamespace");

/** The app's KV bindings, by name, for its `env`. */
export function createKvBindings(host: HostKv, names: readonly string[]): Record<string, KVNamespace> {
  const out = nullProto({}) as Record<string, KVNamespace>;
  construct = true;
  try {
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      out[name] = ObjectFreeze(new KVNamespace(host, name)) as KVNamespace;
    }
  } finally {
    construct = false;
  }
  return out;
}
