// A Hono app written for Cloudflare Workers, unchanged: routing, params, JSON, headers, cookies.
import { Hono } from "hono";

type Bindings = { APP_NAME: string };

const app = new Hono<{ Bindings: Bindings }>();

app.get("/", (c) => c.text(`Hello from ${c.env.APP_NAME} on Hono!`));

app.get("/users/:id", (c) => c.json({ id: c.req.param("id"), query: c.req.query("q") ?? null }));

app.post("/echo", async (c) => {
  const body = await c.req.json();
  return c.json({ received: body }, 201);
});

app.get("/cookies", (c) => {
  c.header("set-cookie", "a=1; Path=/", { append: true });
  c.header("set-cookie", "b=2; Path=/", { append: true });
  return c.text("two cookies");
});

app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));

export default app;
