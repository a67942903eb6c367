// A Workers app with static assets and a WebSocket route, unchanged from Cloudflare: files under
// public/ are answered before this script runs; /api/* is the script's (/api/chat upgrades to a
// WebSocket that answers each message); any other path falls back to the assets binding, which answers
// public/404.html with status 404.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/api/chat") {
      if (request.headers.get("upgrade") !== "websocket") return new Response("expected a WebSocket", { status: 426 });
      const [client, server] = Object.values(new WebSocketPair());
      server.accept();
      server.addEventListener("message", (event) => server.send(`you said: ${event.data}`));
      return new Response(null, { status: 101, webSocket: client });
    }
    if (url.pathname === "/api/time") return Response.json({ now: new Date().toISOString() });
    if (url.pathname === "/api/greeting") {
      // The app may read its own assets through the binding.
      const page = await env.ASSETS.fetch(new URL("/greeting.txt", request.url));
      return new Response(`${(await page.text()).trim()} from the app`);
    }
    return env.ASSETS.fetch(request);
  },
};
