/**
 * The registry as an interface: apps, their immutable versions, the active version, secrets. One
 * SQLite file serves one node; a PostgreSQL store for several nodes implements the same interface
 * and runs the same shared test suite (store.case.ts).
 */
import type { Manifest } from "../manifest.js";

export interface VersionInput {
  /** Content hash of bundle + manifest: a deploy with identical content is a no-op. */
  hash: string;
  code: string;
  manifest: Manifest;
  /** V8 code cache produced by the deploy check, for the serving isolates. */
  cachedData: Uint8Array | null;
}

export interface VersionRecord extends VersionInput {
  app: string;
  version: number;
  createdAt: string;
}

export interface VersionSummary {
  version: number;
  hash: string;
  createdAt: string;
  active: boolean;
}

export interface AppRecord {
  name: string;
  createdAt: string;
  activeVersion: number | null;
  /** Routes and port of the active version's manifest. */
  routes: string[];
  port: number | null;
  updatedAt: string;
  /** The app's last quarantine; it is in force while `untilMs` is in the future. */
  quarantine: Quarantine | null;
}

export interface Quarantine {
  /** Epoch milliseconds when the cool-off ends. */
  untilMs: number;
  /** How many quarantines in a row (the cool-off doubles with each). */
  level: number;
  reason: string;
  since: string;
}

export interface Activation {
  version: number;
  at: string;
  by: string;
}

export interface RegistryStore {
  listApps(): AppRecord[];
  getApp(name: string): AppRecord | null;
  /** Stores a version (creating the app on first deploy); returns the existing one for a known hash. */
  putVersion(app: string, input: VersionInput): { version: number; created: boolean };
  getVersion(app: string, version: number): VersionRecord | null;
  listVersions(app: string): VersionSummary[];
  /** Makes `version` the app's active version, atomically, recording who did it. */
  activate(app: string, version: number, by: string): void;
  /**
   * A deploy's write, in one transaction: stores the version (creating the app on first deploy; the
   * existing one for a known hash), makes it active and lifts the app's quarantine. A crash leaves
   * all of it or none: never an app whose only version is stored but not active. A known version
   * that is already active is left as it is.
   */
  putVersionAndActivate(app: string, input: VersionInput, by: string): { version: number; created: boolean };
  activations(app: string): Activation[];
  deleteApp(name: string): boolean;
  setSecret(app: string, key: string, value: string): void;
  deleteSecret(app: string, key: string): boolean;
  listSecretNames(app: string): string[];
  /** Decrypted secrets, for the serving side only; never returned by the API. */
  getSecrets(app: string): Record<string, string>;
  /** Quarantines an app (or extends its quarantine) until `untilMs`. */
  quarantine(app: string, q: Omit<Quarantine, "since">): void;
  /** Lifts and forgets an app's quarantine (a new version, or the operator); false if it had none. */
  liftQuarantine(app: string): boolean;
  /** Increases on every change a serving process must see (deploy, activation, delete, secret, quarantine). */
  generation(): number;
  close(): void;
}
