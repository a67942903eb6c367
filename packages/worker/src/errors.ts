/**
 * NANO's one error catalogue (after undici's lib/core/errors.js and fastify's codes): every failure a
 * user can see has a stable `NANO_ERR_*` code and an HTTP status. The API, the CLI and the logs share it.
 * It lives in the lowest host-side package so that worker threads can raise the same codes.
 */
export const ERROR_CODES = {
  NANO_ERR_INTERNAL: { status: 500, message: "internal error" },
  NANO_ERR_APP_EXCEPTION: { status: 500, message: "the app threw an exception" },
  NANO_ERR_BAD_RESPONSE: { status: 500, message: "the app did not return a Response" },
  NANO_ERR_CPU_LIMIT: { status: 503, message: "the app exceeded its CPU time limit" },
  NANO_ERR_MEMORY_LIMIT: { status: 503, message: "the app exceeded its memory limit" },
  NANO_ERR_WALL_LIMIT: { status: 504, message: "the app did not answer within its time limit" },
  NANO_ERR_ISOLATE_DISPOSED: { status: 503, message: "the app's isolate was stopped" },
  NANO_ERR_APP_LOAD: { status: 400, message: "the app failed to load" },
  NANO_ERR_NO_FETCH_HANDLER: { status: 400, message: "the app has no fetch handler" },
  NANO_ERR_BUNDLE: { status: 400, message: "the app could not be bundled" },
  NANO_ERR_MANIFEST: { status: 400, message: "nano.json is invalid" },
  NANO_ERR_BODY_TOO_LARGE: { status: 413, message: "the request body is too large" },
  NANO_ERR_ROUTE_CONFLICT: { status: 409, message: "the route or port is already taken" },
  NANO_ERR_UNAUTHORIZED: { status: 401, message: "a valid admin token is required" },
  NANO_ERR_BAD_REQUEST: { status: 400, message: "the request is malformed" },
  NANO_ERR_NOT_FOUND: { status: 404, message: "not found" },
  NANO_ERR_VERSION_NOT_FOUND: { status: 404, message: "no such version" },
  NANO_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: "the upload is too large" },
  NANO_ERR_APP_DISABLED: { status: 503, message: "the app has no active version" },
  NANO_ERR_CONFIG: { status: 500, message: "the configuration is invalid" },
  NANO_ERR_APP_NOT_FOUND: { status: 404, message: "no app serves this host or path" },
  NANO_ERR_EVAL: { status: 400, message: "evaluation failed" },
  NANO_ERR_TOOLCHAIN: { status: 500, message: "unsupported Node.js version" },
  NANO_ERR_APP_QUARANTINED: { status: 503, message: "the app is quarantined after repeated crashes" },
  NANO_ERR_APP_THROTTLED: { status: 503, message: "the app keeps exceeding its CPU limit and is throttled" },
  NANO_ERR_APP_OVERLOADED: { status: 503, message: "the app has too many requests in flight" },
  NANO_ERR_OVERLOADED: { status: 503, message: "the server is overloaded" },
  NANO_ERR_APP_CHECK_CRASHED: { status: 400, message: "the app crashed the process that checked it" },
  NANO_ERR_UNAVAILABLE: { status: 503, message: "the server is not ready" },
  NANO_ERR_REGISTRY_UNAVAILABLE: { status: 503, message: "the registry database is unreachable; try again" },
  NANO_ERR_KV_KEY_NOT_FOUND: { status: 404, message: "no such key in the KV namespace" },
  NANO_ERR_WEBSOCKET_LIMIT: { status: 503, message: "the app has too many WebSockets open" },
  NANO_ERR_KV_INVALID: { status: 400, message: "the KV key, value or option is invalid" },
  NANO_ERR_ASSET_MISSING: { status: 409, message: "the version names asset files the server does not have" },
  NANO_ERR_ASSET_LIMIT: { status: 413, message: "the app's assets are over a limit" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class NanoError extends Error {
  override readonly name = "NanoError";
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds after which a retry may succeed (sent as `Retry-After`), for errors that pass. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; retryAfter?: number }) {
    super(message ?? ERROR_CODES[code].message, options);
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retryAfter = options?.retryAfter;
  }

  /** The JSON body the admin API and the ingress answer with. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }

  /** Rebuilds an error that crossed a thread boundary as `{ code, message }`. */
  static from(wire: { code: string; message: string }): NanoError {
    const code = (wire.code in ERROR_CODES ? wire.code : "NANO_ERR_INTERNAL") as ErrorCode;
    return new NanoError(code, wire.message);
  }
}

export function isNanoError(err: unknown): err is NanoError {
  return err instanceof NanoError;
}
