/** The only file that opens sockets: serves a Hono app on a port and closes it gracefully. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Hono } from "hono";

export interface Listening {
  url: string;
  port: number;
  /**
   * Stops accepting and resolves when every connection has ended: idle keep-alive connections at
   * once, the others after their response, or all of them at `deadlineMs` when one is given.
   */
  close(deadlineMs?: number): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host: string;
  /**
   * SO_REUSEPORT: several runtime processes listen on the same port and the kernel spreads new
   * connections between them; when one dies the others keep accepting.
   */
  reusePort?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its bindings.
export function listen(app: Hono<any>, opts: ListenOptions): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({ fetch: app.fetch }) as Server;
    server.once("error", reject);
    server.listen({ port: opts.port, host: opts.host, reusePort: opts.reusePort === true }, () => {
      server.off("error", reject);
      const info = server.address() as AddressInfo;
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: (deadlineMs) =>
          new Promise<void>((done) => {
            // Idle keep-alive sockets would hold close() open, and a busy one turns idle after its response.
            const idle = setInterval(() => server.closeIdleConnections(), 50);
            const deadline =
              deadlineMs === undefined ? null : setTimeout(() => server.closeAllConnections(), deadlineMs);
            server.close(() => {
              clearInterval(idle);
              if (deadline) clearTimeout(deadline);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
