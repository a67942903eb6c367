// The app served by NANO and by workerd alike (bench/compare.mjs; bench/raw-node.mjs does the same
// with node:http): hello-world, a JSON echo, and a 64 KiB body streamed in 16 chunks of 4 KiB.
// Routed on the path string rather than `new URL()`, which would cost more than the rest of a NANO
// hello-world before its fast path (whatwg-url in the isolate), so each case measures the request path itself.
const CHUNKS = 16;
const CHUNK_BYTES = 4096;

export default {
  async fetch(request) {
    const url = request.url;
    const pathname = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    if (pathname === "/echo") return Response.json(await request.json());
    if (pathname === "/stream") {
      let sent = 0;
      return new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new Uint8Array(CHUNK_BYTES).fill(120));
            if (++sent === CHUNKS) controller.close();
          },
        }),
        { headers: { "content-type": "application/octet-stream" } },
      );
    }
    return new Response("Hello World");
  },
};
