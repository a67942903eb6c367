/**
 * The module specifiers a Workers bundle may import by name (wrangler leaves them to workerd): NANO
 * provides `cloudflare:workers`; every other one fails the bundle with an error naming it.
 */
import { builtinModules } from "node:module";
import { CLOUDFLARE_WORKERS_EXPORTS } from "@nano/worker";
import type { Message, Plugin } from "esbuild";

export const CLOUDFLARE_WORKERS = "cloudflare:workers";

/**
 * What the `cloudflare:workers` module reads its exports from: a free identifier the bundler renames
 * to the (unguessable) parameter of the app's factory, which the runtime calls with the module object.
 */
export const BUILTINS_PLACEHOLDER = "__nano_cloudflare_workers";

/** workerd's other public built-ins (src/cloudflare/*.ts) and what they are for, for the error message. */
const UNSUPPORTED: Record<string, string> = {
  "cloudflare:sockets": "TCP sockets",
  "cloudflare:email": "Email Workers",
  "cloudflare:workflows": "Workflows",
  "cloudflare:ai": "Workers AI",
  "cloudflare:br": "Browser Rendering",
  "cloudflare:pipelines": "Pipelines",
  "cloudflare:pipeline-transform": "Pipelines",
  "cloudflare:vectorize": "Vectorize",
  "cloudflare:node": "Node.js compatibility",
  "cloudflare:test": "the Workers Vitest pool",
};

// esbuild names a module `namespace:path` in its messages: this one reads "cloudflare:workers".
const NAMESPACE = "cloudflare";

function unsupported(specifier: string): string {
  if (specifier === "__STATIC_CONTENT_MANIFEST") {
    return `"__STATIC_CONTENT_MANIFEST" (Workers Sites) is not supported by NANO: serve static files from the app itself`;
  }
  const what = UNSUPPORTED[specifier];
  return `"${specifier}" is a Cloudflare Workers built-in module${what ? ` (${what})` : ""} that is not supported by NANO; of the cloudflare:* modules NANO provides "${CLOUDFLARE_WORKERS}"`;
}

/** Resolves `cloudflare:workers` to the runtime's module, and fails every other Workers built-in by name. */
export function builtinModulesPlugin(): Plugin {
  return {
    name: "nano-builtin-modules",
    setup(build) {
      build.onResolve(
        { filter: /^(?:cloudflare:|cloudflare-internal:|workerd:|__STATIC_CONTENT_MANIFEST$)/ },
        (args) =>
          args.path === CLOUDFLARE_WORKERS
            ? { path: "workers", namespace: NAMESPACE }
            : { errors: [{ text: unsupported(args.path) }] },
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({
        contents: `export const { ${CLOUDFLARE_WORKERS_EXPORTS.join(", ")} } = ${BUILTINS_PLACEHOLDER};\n`,
        loader: "js",
      }));
    },
  };
}

const NODE_BUILTINS = new Set(builtinModules);
const UNRESOLVED = /^Could not resolve "([^"]+)"$/;

/**
 * esbuild's error for a Node built-in suggests `platform: "node"`, which is no answer on NANO: say
 * what it is instead. (Node built-ins are left to esbuild, so an optional `require` inside `try` stays
 * a warning as it is there.)
 */
export function explainNodeBuiltin(m: Message): Message {
  const name = UNRESOLVED.exec(m.text)?.[1];
  if (name === undefined || !(name.startsWith("node:") || NODE_BUILTINS.has(name))) return m;
  const text =
    `"${name}" is a Node.js built-in module: NANO does not support node:* modules (Workers' nodejs_compat) yet` +
    (name.startsWith("node:") ? "" : ` (or add the npm package "${name}" to the app's dependencies)`);
  return { ...m, text, notes: [] };
}
