// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://webassembly.github.io/spec/web-api/ — WebAssembly's promise API and the Streaming forms.
 * V8's asynchronous compile finishes on a platform task that only runs when the embedder pumps the
 * isolate's message loop; NANO enters isolates synchronously, so `WebAssembly.compile()` would never
 * settle. The promise forms therefore compile synchronously inside the entry (charged to the request's
 * CPU budget) and resolve asynchronously. Installed at init: WebAssembly is absent while the snapshot
 * is made. Module, Instance and Memory are wrapped so every memory counts against the app's allowance
 * (wasm-memory.ts).
 */
import { headersGet } from "./headers.js";
import {
  ArrayBufferIsView,
  ArrayPrototypePush,
  isArrayBuffer,
  isInstanceOf,
  MathFloor,
  MathMax,
  MathMin,
  Number as NumberCtor,
  NumberIsFinite,
  ObjectDefineProperty,
  ObjectGetOwnPropertyDescriptor,
  ObjectKeys,
  ReflectApply,
  ReflectConstruct,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
  StringPrototypeTrim,
  TypeError,
  Uint8Array,
  uncurryThis,
  viewBytes,
} from "./primordials.js";
import { isResponseObject, Response, responseHead } from "./response.js";
import { capModuleMemories, MemoryAllowance, PAGE_BYTES } from "./wasm-memory.js";

type Imports = Record<string, Record<string, unknown>> | undefined;
type Source = ArrayBuffer | ArrayBufferView;

type Ctor = new (...args: never[]) => object;

interface Wasm {
  Module: new (bytes: Source) => object;
  Instance: new (module: object, imports?: Imports) => object;
  Memory: new (descriptor: unknown) => object;
  compile(bytes: Source): Promise<object>;
  instantiate(source: Source | object, imports?: Imports): Promise<unknown>;
  compileStreaming?: (source: unknown) => Promise<object>;
  instantiateStreaming?: (source: unknown, imports?: Imports) => Promise<unknown>;
}

const ResponsePrototypeArrayBuffer = uncurryThis(Response.prototype.arrayBuffer);

function defineMethod(target: object, name: string, fn: (...args: never[]) => unknown): void {
  ObjectDefineProperty(fn, "name", { value: name });
  ObjectDefineProperty(target, name, { value: fn, writable: true, enumerable: true, configurable: true });
}

/** Puts `wrapper` in `original`'s place: same prototype (so instanceof holds both ways), same statics. */
function replaceConstructor(wasm: Wasm, name: "Module" | "Instance" | "Memory", original: Ctor, wrapper: Ctor): void {
  const proto = original.prototype as object;
  ObjectDefineProperty(wrapper, "prototype", { value: proto, writable: false, enumerable: false, configurable: false });
  ObjectDefineProperty(wrapper, "name", { value: name });
  ObjectDefineProperty(wrapper, "length", { value: 1 });
  const statics = ObjectKeys(original);
  for (let i = 0; i < statics.length; i++) {
    const key = statics[i] as string;
    ObjectDefineProperty(wrapper, key, ObjectGetOwnPropertyDescriptor(original, key) as PropertyDescriptor);
  }
  ObjectDefineProperty(proto, "constructor", { value: wrapper, writable: true, enumerable: false, configurable: true });
  ObjectDefineProperty(wasm, name, { value: wrapper, writable: true, enumerable: false, configurable: true });
}

function sourceBytes(source: unknown): Uint8Array | null {
  if (ArrayBufferIsView(source)) return viewBytes(source);
  if (isArrayBuffer(source)) return new Uint8Array(source);
  return null;
}

/** `memoryMb`: the app's limit, which its WebAssembly memories may reserve in all, beside the heap. */
export function installWebAssembly(memoryMb: number): void {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!wasm) return;
  const allowance = new MemoryAllowance(MathFloor((memoryMb * 1048576) / PAGE_BYTES));
  const OriginalModule = wasm.Module as unknown as Ctor;
  const OriginalInstance = wasm.Instance as unknown as Ctor;
  const OriginalMemory = wasm.Memory as unknown as Ctor;
  const instanceExports = (ObjectGetOwnPropertyDescriptor(OriginalInstance.prototype, "exports") as PropertyDescriptor)
    .get as (this: object) => Record<string, unknown>;

  function Module(this: unknown, bytes: Source): object {
    if (new.target === undefined) throw new TypeError("WebAssembly.Module must be called with new");
    const view = sourceBytes(bytes);
    if (view === null) return ReflectConstruct(OriginalModule, [bytes], new.target);
    const capped = capModuleMemories(view, allowance.capPages);
    const module = ReflectConstruct(OriginalModule, [capped.bytes], new.target);
    allowance.setModulePages(module, capped.pages);
    return module;
  }
  function Instance(this: unknown, module: object, imports?: Imports): object {
    if (new.target === undefined) throw new TypeError("WebAssembly.Instance must be called with new");
    const pages = isInstanceOf(module, OriginalModule) ? allowance.modulePages(module) : 0;
    allowance.check(pages);
    const instance = ReflectConstruct(OriginalInstance, [module, imports], new.target);
    // The reservation lasts while the instance or a memory it exports is reachable.
    const holders: object[] = [instance];
    const exported = ReflectApply(instanceExports, instance, []);
    const names = ObjectKeys(exported);
    for (let i = 0; i < names.length; i++) {
      const value = exported[names[i] as string];
      if (isInstanceOf(value, OriginalMemory)) ArrayPrototypePush(holders, value as object);
    }
    allowance.hold(pages, holders);
    return instance;
  }
  function Memory(this: unknown, descriptor: unknown): object {
    if (new.target === undefined) throw new TypeError("WebAssembly.Memory must be called with new");
    if (descriptor === null || typeof descriptor !== "object") {
      return ReflectConstruct(OriginalMemory, [descriptor], new.target);
    }
    // Each member read once, in WebIDL's order; V8 converts the copies as it would the originals.
    const d = descriptor as Record<string, unknown>;
    const address = d.address;
    const index = d.index;
    const initial = NumberCtor(d.initial);
    const maximum = d.maximum === undefined ? undefined : NumberCtor(d.maximum);
    const shared = d.shared;
    const copy: Record<string, unknown> = { __proto__: null, initial, shared };
    if (address !== undefined) copy.address = address;
    if (index !== undefined) copy.index = index;
    if (!NumberIsFinite(initial) || (maximum !== undefined && !NumberIsFinite(maximum))) {
      if (maximum !== undefined) copy.maximum = maximum;
      return ReflectConstruct(OriginalMemory, [copy], new.target);
    }
    const pages = MathMin(maximum ?? allowance.capPages, allowance.capPages);
    // A maximum below `initial` stays for V8 to refuse; otherwise the reservation is the capped maximum.
    copy.maximum = maximum !== undefined && maximum < initial ? maximum : pages;
    allowance.check(MathMax(initial, pages));
    const memory = ReflectConstruct(OriginalMemory, [copy], new.target);
    allowance.hold(pages, [memory]);
    return memory;
  }
  replaceConstructor(wasm, "Module", OriginalModule, Module as unknown as Ctor);
  replaceConstructor(wasm, "Instance", OriginalInstance, Instance as unknown as Ctor);
  replaceConstructor(wasm, "Memory", OriginalMemory, Memory as unknown as Ctor);
  // Async functions that await and never return a promise: resolving with a promise would look up
  // its `then`, which an app can replace.
  const compile = async (bytes: Source): Promise<object> => ReflectConstruct(Module, [bytes], Module) as object;
  const instantiate = (module: object, imports: Imports): object =>
    ReflectConstruct(Instance, [module, imports], Instance) as object;

  /** https://webassembly.github.io/spec/web-api/#compile-a-potential-webassembly-response */
  const bytesOf = async (source: unknown): Promise<ArrayBuffer> => {
    const response = await source;
    if (!isResponseObject(response)) throw new TypeError("WebAssembly streaming needs a Response");
    const head = responseHead(response);
    const type = headersGet(head.headers, "content-type");
    const semicolon = type === null ? -1 : StringPrototypeIndexOf(type, ";");
    const essence = type === null ? null : semicolon < 0 ? type : StringPrototypeSlice(type, 0, semicolon);
    if (essence === null || StringPrototypeToLowerCase(StringPrototypeTrim(essence)) !== "application/wasm") {
      throw new TypeError(`WebAssembly streaming needs Content-Type application/wasm, got ${type ?? "none"}`);
    }
    if (head.status < 200 || head.status > 299) {
      throw new TypeError(`WebAssembly streaming needs an ok Response, got status ${head.status}`);
    }
    return await ResponsePrototypeArrayBuffer(response);
  };

  defineMethod(wasm, "compile", (bytes: Source) => compile(bytes));
  defineMethod(wasm, "instantiate", async (source: Source | object, imports?: Imports) => {
    if (isInstanceOf(source, OriginalModule)) return instantiate(source as object, imports);
    const module = await compile(source as Source);
    return { module, instance: instantiate(module, imports) };
  });
  defineMethod(wasm, "compileStreaming", async (source: unknown) => await compile(await bytesOf(source)));
  defineMethod(wasm, "instantiateStreaming", async (source: unknown, imports?: Imports) => {
    const module = await compile(await bytesOf(source));
    return { module, instance: instantiate(module, imports) };
  });
}
