/**
 * https://webidl.spec.whatwg.org/#idl-DOMException — DOMException, plus the few WebIDL interface-object
 * conventions (enumerable members, @@toStringTag, constants) that the hand-written classes share.
 */
import {
  ObjectDefineProperty,
  ObjectGetOwnPropertyDescriptor,
  ObjectKeys,
  ReflectOwnKeys,
  SafeMap,
} from "./primordials.js";
import { toDOMString } from "./webidl.js";

/** https://webidl.spec.whatwg.org/#dfn-error-names-table — names with a legacy code. */
const LEGACY_CODES = new SafeMap<string, number>();
{
  const codes: Record<string, number> = {
    IndexSizeError: 1,
    HierarchyRequestError: 3,
    WrongDocumentError: 4,
    InvalidCharacterError: 5,
    NoModificationAllowedError: 7,
    NotFoundError: 8,
    NotSupportedError: 9,
    InUseAttributeError: 10,
    InvalidStateError: 11,
    SyntaxError: 12,
    InvalidModificationError: 13,
    NamespaceError: 14,
    InvalidAccessError: 15,
    TypeMismatchError: 17,
    SecurityError: 18,
    NetworkError: 19,
    AbortError: 20,
    URLMismatchError: 21,
    QuotaExceededError: 22,
    TimeoutError: 23,
    InvalidNodeTypeError: 24,
    DataCloneError: 25,
  };
  const names = ObjectKeys(codes);
  for (let i = 0; i < names.length; i++) LEGACY_CODES.set(names[i] as string, codes[names[i] as string] as number);
}

/** The legacy code constants (some, like DOMSTRING_SIZE_ERR, have no name of their own). */
const CODE_CONSTANTS: Readonly<Record<string, number>> = {
  INDEX_SIZE_ERR: 1,
  DOMSTRING_SIZE_ERR: 2,
  HIERARCHY_REQUEST_ERR: 3,
  WRONG_DOCUMENT_ERR: 4,
  INVALID_CHARACTER_ERR: 5,
  NO_DATA_ALLOWED_ERR: 6,
  NO_MODIFICATION_ALLOWED_ERR: 7,
  NOT_FOUND_ERR: 8,
  NOT_SUPPORTED_ERR: 9,
  INUSE_ATTRIBUTE_ERR: 10,
  INVALID_STATE_ERR: 11,
  SYNTAX_ERR: 12,
  INVALID_MODIFICATION_ERR: 13,
  NAMESPACE_ERR: 14,
  INVALID_ACCESS_ERR: 15,
  VALIDATION_ERR: 16,
  TYPE_MISMATCH_ERR: 17,
  SECURITY_ERR: 18,
  NETWORK_ERR: 19,
  ABORT_ERR: 20,
  URL_MISMATCH_ERR: 21,
  QUOTA_EXCEEDED_ERR: 22,
  TIMEOUT_ERR: 23,
  INVALID_NODE_TYPE_ERR: 24,
  DATA_CLONE_ERR: 25,
};

/** Brand check (structuredClone serializes DOMExceptions). */
export let isDOMException: (value: unknown) => value is DOMException;
/** Its name and message, read from its private state (structuredClone). */
export let domExceptionState: (e: DOMException) => { name: string; message: string };

/**
 * Extends Error so `instanceof Error` holds and V8 records a stack, but calls `super()` without a
 * message: WebIDL puts `name`, `message` and `code` on the prototype as getters, not on the instance.
 * V8 formats the stack header lazily, through those getters.
 */
export class DOMException extends Error {
  #name: string;
  #message: string;

  constructor(message: unknown = "", name: unknown = "Error") {
    super();
    this.#message = toDOMString(message);
    this.#name = toDOMString(name);
  }
  override get name(): string {
    return this.#name;
  }
  override get message(): string {
    return this.#message;
  }
  get code(): number {
    return LEGACY_CODES.get(this.#name) ?? 0;
  }
  static {
    isDOMException = (value) => typeof value === "object" && value !== null && #name in value;
    domExceptionState = (e) => ({ name: e.#name, message: e.#message });
  }
}
defineConstants(DOMException, CODE_CONSTANTS);
webidlInterface(DOMException, "DOMException");

/**
 * https://webidl.spec.whatwg.org/#es-interfaces — makes a class look like an interface object: its
 * prototype's accessors and methods enumerable, `@@toStringTag` and `name` the interface name.
 */
export function webidlInterface(cls: abstract new (...args: never[]) => unknown, name: string): void {
  // The bundler may rename a class to avoid a collision; the interface object keeps the IDL name.
  ObjectDefineProperty(cls, "name", { value: name, configurable: true });
  const proto = cls.prototype as object;
  const keys = ReflectOwnKeys(proto);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as PropertyKey;
    if (key === "constructor" || typeof key === "symbol") continue;
    const desc = ObjectGetOwnPropertyDescriptor(proto, key)!;
    if (desc.configurable && !desc.enumerable) ObjectDefineProperty(proto, key, { enumerable: true });
  }
  ObjectDefineProperty(proto, Symbol.toStringTag, { value: name, configurable: true });
}

/** https://webidl.spec.whatwg.org/#es-constants — on the interface object and its prototype, read-only. */
export function defineConstants(cls: abstract new (...args: never[]) => unknown, constants: Record<string, number>) {
  for (const target of [cls, cls.prototype as object]) {
    for (const [key, value] of Object.entries(constants)) {
      ObjectDefineProperty(target, key, { value, enumerable: true, writable: false, configurable: false });
    }
  }
}
