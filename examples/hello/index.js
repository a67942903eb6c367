// The smallest NANO app: module syntax, Web-standard Request and Response.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/json") {
      return Response.json({ hello: env.GREETING ?? "world", method: request.method });
    }
    return new Response(`Hello from NANO! You asked for ${url.pathname}\n`, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
