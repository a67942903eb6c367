/**
 * The global scope as one table (after deno's 98_global_scope_shared.js): each global with its flags.
 * Installed once while the snapshot is made; host bridges are bound later by `__nano_init`.
 */

import { FetchEvent } from "./app-handler.js";
import { TextDecoder, TextEncoder } from "./encoding.js";
import { Event, EventTarget } from "./events.js";
import { Headers } from "./headers.js";
import { Request } from "./request.js";
import { Response } from "./response.js";
import { URL, URLSearchParams } from "./url.js";

interface GlobalDef {
  value: unknown;
  enumerable?: boolean;
  writable?: boolean;
}

/** Web classes (non-enumerable, writable, configurable — as WebIDL interface objects are). */
export const CLASSES: Record<string, GlobalDef> = {
  Event: { value: Event },
  EventTarget: { value: EventTarget },
  FetchEvent: { value: FetchEvent },
  Headers: { value: Headers },
  Request: { value: Request },
  Response: { value: Response },
  TextDecoder: { value: TextDecoder },
  TextEncoder: { value: TextEncoder },
  URL: { value: URL },
  URLSearchParams: { value: URLSearchParams },
};

export function installGlobals(defs: Record<string, GlobalDef>): void {
  for (const [name, def] of Object.entries(defs)) {
    Object.defineProperty(globalThis, name, {
      value: def.value,
      enumerable: def.enumerable ?? false,
      writable: def.writable ?? true,
      configurable: true,
    });
  }
}
