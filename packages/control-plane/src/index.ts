/** @nano/control-plane — bundling, deploy checks, the ingress and the process that serves them. */

export { type AdminOptions, createAdminApi } from "./admin-api.js";
export { loadOrCreateToken, TOKEN_FILE } from "./admin-token.js";
export { type CheckedApp, checkApp } from "./app-check.js";
export { AppGovernor, type GovernorOptions } from "./app-governor.js";
export { collectAssets, type LocalAsset } from "./assets/asset-files.js";
export { type AssetIndex, DEFAULT_ASSET_LIMITS } from "./assets/asset-index.js";
export { type Bundle, bundleApp, MAX_BUNDLE_BYTES } from "./bundler.js";
export { Checker } from "./checker.js";
export { DEFAULTS as CONFIG_DEFAULTS, resolveConfig, type ServerConfig } from "./config.js";
export { QuarantinePolicy, RestartBackoff } from "./crash-policy.js";
export { type AppChecker, checkAppName, type DeployContext, type DeployResult, deployVersion } from "./deploy.js";
export { createIngress, type IngressOptions } from "./ingress.js";
export { type AppLogRecord, LogRing } from "./log-ring.js";
export { createLogger, type Logger } from "./logger.js";
export { type Manifest, parseManifest, readManifest } from "./manifest.js";
export { Metrics } from "./metrics.js";
export { SecretBox } from "./registry/secret-box.js";
export { SqliteStore } from "./registry/sqlite-store.js";
export type { AppRecord, RegistryStore, VersionSummary } from "./registry/store.js";
export { parseRoute, Router } from "./router.js";
export { type RuntimeCrash, type RuntimeInfo, RuntimeProcesses } from "./runtime-processes.js";
export { type ServeOptions, type ServingApp, serveApp } from "./serve-app.js";
export { type Listening, listen } from "./server.js";
export { ServingState } from "./serving-state.js";
export { defaultProcesses, defaultThreads, type RunningServer, startServer } from "./start-server.js";
