/**
 * `assets` in nano.json: `"./public"`, or `{ "directory": "./public", "notFound": "404.html" |
 * "single-page-application" | "none", "binding": "ASSETS" }`. The files themselves are not part of
 * nano.json: the server adds them (`files`) to the stored manifest at deploy.
 */
import type { AssetsConfig, NotFoundHandling } from "./asset-index.js";

const NOT_FOUND: Record<string, NotFoundHandling> = {
  "404.html": "404-page",
  "404-page": "404-page",
  "single-page-application": "single-page-application",
  none: "none",
};

const BINDING_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

export function parseAssetsConfig(raw: unknown, fail: (message: string) => never): AssetsConfig {
  if (typeof raw === "string") raw = { directory: raw };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    fail(`"assets" must be a folder ("./public") or an object like {"directory": "./public"}`);
  }
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!["directory", "notFound", "binding"].includes(key)) fail(`unknown field "assets.${key}"`);
  }
  if (typeof o.directory !== "string" || o.directory.length === 0 || o.directory.length > 1024) {
    fail(`"assets.directory" must be the path of a folder in the app, like "./public"`);
  }
  const notFound = o.notFound ?? "none";
  const handling = typeof notFound === "string" ? NOT_FOUND[notFound] : undefined;
  if (handling === undefined) {
    fail(`"assets.notFound" must be "404.html", "single-page-application" or "none", got ${JSON.stringify(notFound)}`);
  }
  const binding = o.binding ?? "ASSETS";
  if (typeof binding !== "string" || !BINDING_NAME.test(binding)) {
    fail(`"assets.binding" must be a JavaScript identifier, got ${JSON.stringify(binding)}`);
  }
  return { directory: o.directory, notFound: handling, binding };
}
