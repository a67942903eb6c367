/**
 * A typed client for the admin REST API. Server and token come from flags, then NANO_URL/NANO_TOKEN,
 * then the file `nano login` writes, then the local defaults (http://127.0.0.1:8788 and the token a
 * local `nano start` generated in ./.nano-data).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { NanoError } from "@nano/worker";

export interface ClientOptions {
  server?: string;
  token?: string;
}

export interface LoginFile {
  server: string;
  token: string;
}

export function loginFilePath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "nano", "config.json");
}

function readLogin(): Partial<LoginFile> {
  try {
    return JSON.parse(readFileSync(loginFilePath(), "utf8")) as Partial<LoginFile>;
  } catch {
    return {};
  }
}

export function writeLogin(login: LoginFile): string {
  const path = loginFilePath();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  return path;
}

function localToken(): string | undefined {
  try {
    return readFileSync(resolve(process.env.NANO_DATA_DIR ?? ".nano-data", "admin-token"), "utf8").trim();
  } catch {
    return undefined;
  }
}

export class AdminClient {
  readonly server: string;
  readonly #token: string | undefined;

  constructor(opts: ClientOptions = {}) {
    const login = readLogin();
    this.server = (opts.server ?? (process.env.NANO_URL || login.server) ?? "http://127.0.0.1:8788").replace(
      /\/+$/,
      "",
    );
    this.#token = opts.token ?? (process.env.NANO_TOKEN || login.token || localToken());
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.server + path, {
        method,
        headers: {
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new Error(
        `cannot reach the NANO server at ${this.server} (${(err as Error).cause ?? (err as Error).message})`,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new Error(`${this.server}${path} answered ${res.status} with a non-JSON body`);
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string } }).error;
      throw NanoError.from({ code: e?.code ?? "NANO_ERR_INTERNAL", message: e?.message ?? `HTTP ${res.status}` });
    }
    return json as T;
  }

  /** A request whose body and answer are bytes (KV values); errors are JSON as elsewhere. */
  async bytes(method: string, path: string, body?: Uint8Array): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await fetch(this.server + path, {
        method,
        headers: {
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...(body !== undefined ? { "content-type": "application/octet-stream" } : {}),
        },
        ...(body !== undefined ? { body } : {}),
      });
    } catch (err) {
      throw new Error(
        `cannot reach the NANO server at ${this.server} (${(err as Error).cause ?? (err as Error).message})`,
      );
    }
    if (!res.ok) {
      const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      throw NanoError.from(json.error ?? { code: "NANO_ERR_INTERNAL", message: `HTTP ${res.status}` });
    }
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Raw streaming request (server-sent events for `nano logs -f`). */
  async stream(path: string): Promise<Response> {
    const res = await fetch(this.server + path, {
      headers: this.#token ? { authorization: `Bearer ${this.#token}` } : {},
    });
    if (!res.ok) {
      const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      throw NanoError.from(json.error ?? { code: "NANO_ERR_INTERNAL", message: `HTTP ${res.status}` });
    }
    return res;
  }
}
