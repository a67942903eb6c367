// A Workers app with a KV namespace and a cron trigger, unchanged from Cloudflare's API: each request
// counts a visit; every five minutes the scheduled handler records when it last ran.
export default {
  async fetch(_request, env) {
    const visits = Number((await env.COUNTS.get("visits")) ?? 0) + 1;
    await env.COUNTS.put("visits", String(visits));
    const lastTick = await env.COUNTS.get("last-tick", "json");
    return Response.json({ visits, lastTick });
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(env.COUNTS.put("last-tick", JSON.stringify({ cron: controller.cron, at: controller.scheduledTime })));
  },
};
