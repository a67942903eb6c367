// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://webassembly.github.io/spec/web-api/ — WebAssembly's promise API and the Streaming forms.
 * V8's asynchronous compile finishes on a platform task that only runs when the embedder pumps the
 * isolate's message loop; NANO enters isolates synchronously, so `WebAssembly.compile()` would never
 * settle. The promise forms therefore compile synchronously inside the entry (charged to the request's
 * CPU budget) and resolve asynchronously. Installed at init: WebAssembly is absent while the snapshot
 * is made.
 */
import { headersGet } from "./headers.js";
import {
  isInstanceOf,
  ObjectDefineProperty,
  StringPrototypeIndexOf,
  StringPrototypeSlice,
  StringPrototypeToLowerCase,
  StringPrototypeTrim,
  TypeError,
  uncurryThis,
} from "./primordials.js";
import { isResponseObject, Response, responseHead } from "./response.js";

type Imports = Record<string, Record<string, unknown>> | undefined;
type Source = ArrayBuffer | ArrayBufferView;

interface Wasm {
  Module: new (bytes: Source) => object;
  Instance: new (module: object, imports?: Imports) => object;
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

export function installWebAssembly(): void {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!wasm) return;
  const { Module, Instance } = wasm;
  // Async functions that await and never return a promise: resolving with a promise would look up
  // its `then`, which an app can replace.
  const compile = async (bytes: Source): Promise<object> => new Module(bytes);

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
    if (isInstanceOf(source, Module)) return new Instance(source, imports);
    const module = await compile(source as Source);
    return { module, instance: new Instance(module, imports) };
  });
  defineMethod(wasm, "compileStreaming", async (source: unknown) => await compile(await bytesOf(source)));
  defineMethod(wasm, "instantiateStreaming", async (source: unknown, imports?: Imports) => {
    const module = await compile(await bytesOf(source));
    return { module, instance: new Instance(module, imports) };
  });
}
