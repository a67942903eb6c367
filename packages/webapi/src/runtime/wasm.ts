/**
 * https://webassembly.github.io/spec/web-api/ — WebAssembly's promise API and the Streaming forms.
 * V8's asynchronous compile finishes on a platform task that only runs when the embedder pumps the
 * isolate's message loop; NANO enters isolates synchronously, so `WebAssembly.compile()` would never
 * settle. The promise forms therefore compile synchronously inside the entry (charged to the request's
 * CPU budget) and resolve asynchronously. Installed at init: WebAssembly is absent while the snapshot
 * is made.
 */

interface ResponseLike {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

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

function defineMethod(target: object, name: string, fn: (...args: never[]) => unknown): void {
  Object.defineProperty(fn, "name", { value: name });
  Object.defineProperty(target, name, { value: fn, writable: true, enumerable: true, configurable: true });
}

export function installWebAssembly(): void {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (!wasm) return;
  const { Module, Instance } = wasm;
  const compile = (bytes: Source): Promise<object> => new Promise((resolve) => resolve(new Module(bytes)));

  /** https://webassembly.github.io/spec/web-api/#compile-a-potential-webassembly-response */
  const bytesOf = async (source: unknown): Promise<ArrayBuffer> => {
    const response = (await source) as ResponseLike;
    const Response = (globalThis as { Response?: new (...a: unknown[]) => unknown }).Response;
    if (!Response || !(response instanceof Response)) throw new TypeError("WebAssembly streaming needs a Response");
    const type = response.headers.get("content-type");
    if (type === null || type.split(";")[0]?.trim().toLowerCase() !== "application/wasm") {
      throw new TypeError(`WebAssembly streaming needs Content-Type application/wasm, got ${type ?? "none"}`);
    }
    if (!response.ok) throw new TypeError(`WebAssembly streaming needs an ok Response, got status ${response.status}`);
    return response.arrayBuffer();
  };

  defineMethod(wasm, "compile", (bytes: Source) => compile(bytes));
  defineMethod(wasm, "instantiate", (source: Source | object, imports?: Imports) => {
    if (source instanceof Module) return new Promise((resolve) => resolve(new Instance(source, imports)));
    return compile(source as Source).then((module) => ({ module, instance: new Instance(module, imports) }));
  });
  defineMethod(wasm, "compileStreaming", (source: unknown) => bytesOf(source).then(compile));
  defineMethod(wasm, "instantiateStreaming", (source: unknown, imports?: Imports) =>
    bytesOf(source)
      .then(compile)
      .then((module) => ({ module, instance: new Instance(module, imports) })),
  );
}
