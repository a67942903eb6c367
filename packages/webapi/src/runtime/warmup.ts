/**
 * The snapshot's warm-up script (isolated-vm's `createSnapshot(scripts, warmup)`): run once, in a
 * context V8 then throws away, so the functions of a request's hot path are compiled into the
 * snapshot and no isolate's first request pays for compiling them. Uses only globals — it is bundled
 * on its own and must not carry a second copy of the runtime.
 */
import { BRIDGE_FUNCTIONS, DEFINE_GLOBAL, type EntryPoints, INIT_GLOBAL } from "../bridge-contract.js";

interface BodyLike {
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
  body: { getReader(): { read(): Promise<unknown> } } | null;
}
type Ctor<T> = new (...args: unknown[]) => T;

const g = globalThis as unknown as Record<string, unknown>;
const entries = (g[INIT_GLOBAL] as (...fns: unknown[]) => EntryPoints)(
  ...BRIDGE_FUNCTIONS.map(() => () => undefined),
  128,
);
const URLClass = g.URL as Ctor<{ pathname: string; searchParams: { get(k: string): string | null } }>;
const HeadersClass = g.Headers as Ctor<Iterable<[string, string]> & { set(k: string, v: string): void }>;
const ResponseClass = g.Response as Ctor<BodyLike> & { json(v: unknown, init?: unknown): BodyLike };
const Encoder = g.TextEncoder as Ctor<{ encode(s: string): Uint8Array }>;
const Decoder = g.TextDecoder as Ctor<{ decode(b: Uint8Array): string }>;

(g[DEFINE_GLOBAL] as (factory: unknown) => void)((module: { exports: unknown }) => {
  module.exports = {
    default: {
      async fetch(request: BodyLike & { url: string; headers: Iterable<[string, string]> }) {
        const url = new URLClass(request.url);
        const headers = new HeadersClass(request.headers);
        headers.set("x-warm", "1");
        const text = await request.text();
        return ResponseClass.json({ path: url.pathname, q: url.searchParams.get("q"), text, headers: [...headers] });
      },
    },
  };
});
entries.loadApp("{}");
const body = new Encoder().encode("warm-up").buffer as ArrayBuffer;
for (let i = 0; i < 3; i++) {
  entries.fetch(i, "POST", "http://localhost:8080/warm?q=1", "host\nlocalhost:8080\ncontent-type\ntext/plain", body);
  entries.fetch(i + 10, "GET", "http://localhost:8080/", "host\nlocalhost:8080", null);
}
new Decoder().decode(new Encoder().encode("é"));
void new ResponseClass("stream").body?.getReader().read();
void new ResponseClass(new Uint8Array(4)).arrayBuffer();
