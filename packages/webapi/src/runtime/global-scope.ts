/**
 * The global scope as one table (after deno's 98_global_scope_shared.js): each global with its flags.
 * Installed once while the snapshot is made; host bridges are bound later by `__nano_init`.
 */

import { AbortController, AbortSignal } from "./abort.js";
import { FetchEvent } from "./app-handler.js";
import { atob, btoa } from "./base64.js";
import { Blob, File } from "./blob.js";
import { CompressionStream, DecompressionStream } from "./compression.js";
import { Crypto } from "./crypto/crypto.js";
import { CryptoKey } from "./crypto/crypto-key.js";
import { SubtleCrypto } from "./crypto/subtle.js";
import { DOMException } from "./dom-exception.js";
import { TextDecoder, TextEncoder } from "./encoding.js";
import { TextDecoderStream, TextEncoderStream } from "./encoding-streams.js";
import {
  CustomEvent,
  ErrorEvent,
  Event,
  EventTarget,
  MessageEvent,
  PromiseRejectionEvent,
  reportError,
} from "./events.js";
import { FormData } from "./form-data.js";
import { Headers } from "./headers.js";
import { MessageChannel, MessagePort } from "./message-channel.js";
import { Navigator, navigator } from "./navigator.js";
import { Performance, performance } from "./performance.js";
import { Request } from "./request.js";
import { Response } from "./response.js";
import {
  ByteLengthQueuingStrategy,
  CountQueuingStrategy,
  ReadableByteStreamController,
  ReadableStream,
  ReadableStreamBYOBReader,
  ReadableStreamBYOBRequest,
  ReadableStreamDefaultController,
  ReadableStreamDefaultReader,
  TransformStream,
  TransformStreamDefaultController,
  WritableStream,
  WritableStreamDefaultController,
  WritableStreamDefaultWriter,
} from "./streams.js";
import { structuredClone } from "./structured-clone.js";
import { queueMicrotask } from "./timers.js";
import { URL, URLPattern, URLSearchParams } from "./url.js";
import { CloseEvent, WebSocket, WebSocketPair } from "./websocket.js";

interface GlobalDef {
  value: unknown;
  enumerable?: boolean;
  writable?: boolean;
}

/** Web classes (non-enumerable, writable, configurable — as WebIDL interface objects are). */
export const CLASSES: Record<string, GlobalDef> = {
  Crypto: { value: Crypto },
  CryptoKey: { value: CryptoKey },
  Event: { value: Event },
  EventTarget: { value: EventTarget },
  FetchEvent: { value: FetchEvent },
  Headers: { value: Headers },
  Request: { value: Request },
  Response: { value: Response },
  SubtleCrypto: { value: SubtleCrypto },
  TextDecoder: { value: TextDecoder },
  TextEncoder: { value: TextEncoder },
  URL: { value: URL },
  URLPattern: { value: URLPattern },
  URLSearchParams: { value: URLSearchParams },
  // DOM events and aborting, DOMException, channel messaging, hr-time, navigator.
  AbortController: { value: AbortController },
  AbortSignal: { value: AbortSignal },
  CustomEvent: { value: CustomEvent },
  DOMException: { value: DOMException },
  ErrorEvent: { value: ErrorEvent },
  MessageChannel: { value: MessageChannel },
  MessageEvent: { value: MessageEvent },
  MessagePort: { value: MessagePort },
  Navigator: { value: Navigator },
  Performance: { value: Performance },
  PromiseRejectionEvent: { value: PromiseRejectionEvent },
  // WebSockets (the Workers API: WebSocketPair, a 101 Response's webSocket).
  CloseEvent: { value: CloseEvent },
  WebSocket: { value: WebSocket },
  WebSocketPair: { value: WebSocketPair },
  // Operations and objects of the global scope are enumerable, as in browsers.
  atob: { value: atob, enumerable: true },
  btoa: { value: btoa, enumerable: true },
  navigator: { value: navigator, enumerable: true },
  performance: { value: performance, enumerable: true },
  queueMicrotask: { value: queueMicrotask, enumerable: true },
  reportError: { value: reportError, enumerable: true },
  structuredClone: { value: structuredClone, enumerable: true },
  // Streams, Blob/File/FormData, compression and encoding streams.
  Blob: { value: Blob },
  ByteLengthQueuingStrategy: { value: ByteLengthQueuingStrategy },
  CompressionStream: { value: CompressionStream },
  CountQueuingStrategy: { value: CountQueuingStrategy },
  DecompressionStream: { value: DecompressionStream },
  File: { value: File },
  FormData: { value: FormData },
  ReadableByteStreamController: { value: ReadableByteStreamController },
  ReadableStream: { value: ReadableStream },
  ReadableStreamBYOBReader: { value: ReadableStreamBYOBReader },
  ReadableStreamBYOBRequest: { value: ReadableStreamBYOBRequest },
  ReadableStreamDefaultController: { value: ReadableStreamDefaultController },
  ReadableStreamDefaultReader: { value: ReadableStreamDefaultReader },
  TextDecoderStream: { value: TextDecoderStream },
  TextEncoderStream: { value: TextEncoderStream },
  TransformStream: { value: TransformStream },
  TransformStreamDefaultController: { value: TransformStreamDefaultController },
  WritableStream: { value: WritableStream },
  WritableStreamDefaultController: { value: WritableStreamDefaultController },
  WritableStreamDefaultWriter: { value: WritableStreamDefaultWriter },
};

export function installGlobals(defs: Record<string, GlobalDef>): void {
  for (const [name, def] of Object.entries(defs)) {
    // The bundler renames colliding declarations (atob → atob3); a global function keeps its own name.
    if (typeof def.value === "function" && def.value.name !== name) {
      Object.defineProperty(def.value, "name", { value: name, configurable: true });
    }
    Object.defineProperty(globalThis, name, {
      value: def.value,
      enumerable: def.enumerable ?? false,
      writable: def.writable ?? true,
      configurable: true,
    });
  }
}
