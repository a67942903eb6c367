/** @nano/control-plane — bundling, deploy checks, the ingress and the process that serves them. */

export { type CheckedApp, checkApp } from "./app-check.js";
export { type Bundle, bundleApp, MAX_BUNDLE_BYTES } from "./bundler.js";
export { createIngress, type IngressOptions } from "./ingress.js";
export { createLogger, type Logger } from "./logger.js";
export { type Manifest, parseManifest, readManifest } from "./manifest.js";
export { type ServeOptions, type ServingApp, serveApp } from "./serve-app.js";
export { type Listening, listen } from "./server.js";
