// biome-ignore-all lint/suspicious/noShadowRestrictedNames: the primordials imported below stand in for the globals an app can replace
/**
 * https://xhr.spec.whatwg.org/#interface-formdata — FormData. Its byte forms for bodies are in
 * form-data-body.ts.
 */
import { type Blob, blobBytes, blobType, type File, fileFromBytes, fileInfo, isBlob, isFile } from "./blob.js";
import {
  ArrayPrototypePush,
  DateNow,
  ObjectDefineProperty,
  ObjectGetPrototypeOf,
  ObjectSetPrototypeOf,
  ReflectApply,
  SymbolIterator,
  TypeError,
} from "./primordials.js";
import { toUSVString } from "./webidl.js";

export type FormDataEntryValue = string | File;
export type FormDataEntry = [string, FormDataEntryValue];
type Entry = FormDataEntry;

let entriesOf: (fd: FormData) => Entry[];
let setEntries: (fd: FormData, entries: Entry[]) => void;
let isFormDataObject: (value: unknown) => value is FormData;

/** https://xhr.spec.whatwg.org/#create-an-entry */
function createEntry(name: unknown, value: unknown, filename: unknown, hasFilename: boolean): Entry {
  const n = toUSVString(name);
  if (!isBlob(value)) return [n, toUSVString(value)];
  let file = isFile(value) ? value : fileFromBytes(blobBytes(value), "blob", blobType(value), DateNow());
  if (hasFilename) {
    file = fileFromBytes(blobBytes(file), toUSVString(filename), blobType(file), fileInfo(file).lastModified);
  }
  return [n, file];
}

/** The entries not named `n` (the entry at `keep`, if any, stays): a new list. */
function without(entries: readonly Entry[], n: string, keep = -1): Entry[] {
  const out: Entry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Entry;
    if (i === keep || entry[0] !== n) ArrayPrototypePush(out, entry);
  }
  return out;
}

function indexOfName(entries: readonly Entry[], n: string): number {
  for (let i = 0; i < entries.length; i++) if ((entries[i] as Entry)[0] === n) return i;
  return -1;
}

function requireArgs(given: number, needed: number, method: string): void {
  if (given < needed) throw new TypeError(`FormData.${method} requires ${needed} argument${needed > 1 ? "s" : ""}`);
}

/** WebIDL overload resolution: the three-argument form exists only for Blob values. */
function checkAppendArgs(count: number, value: unknown, method: string): void {
  requireArgs(count, 2, method);
  if (count >= 3 && !isBlob(value)) {
    throw new TypeError(`FormData.${method}: a filename can only be given with a Blob value`);
  }
}

export class FormData {
  #entries: Entry[] = [];

  static {
    entriesOf = (fd) => fd.#entries;
    setEntries = (fd, entries) => {
      fd.#entries = entries;
    };
    isFormDataObject = (value): value is FormData => typeof value === "object" && value !== null && #entries in value;
  }

  // `= undefined` keeps Function.length at WebIDL's count of required arguments.
  constructor(form: unknown = undefined, _submitter: unknown = undefined) {
    // There are no form elements here: any given `form` fails the HTMLFormElement conversion.
    if (form !== undefined) throw new TypeError("FormData: the form argument is not an HTMLFormElement");
  }

  append(name: string, value: string | Blob, filename: string | undefined = undefined): void {
    const entries = this.#entries;
    // biome-ignore lint/complexity/noArguments: overload resolution depends on how many arguments were given.
    checkAppendArgs(arguments.length, value, "append");
    ArrayPrototypePush(entries, createEntry(name, value, filename, filename !== undefined));
  }

  delete(name: string): void {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "delete");
    const n = toUSVString(name);
    this.#entries = without(this.#entries, n);
  }

  get(name: string): FormDataEntryValue | null {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "get");
    const n = toUSVString(name);
    const i = indexOfName(this.#entries, n);
    return i < 0 ? null : (this.#entries[i] as Entry)[1];
  }

  getAll(name: string): FormDataEntryValue[] {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "getAll");
    const n = toUSVString(name);
    const out: FormDataEntryValue[] = [];
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      if (entry[0] === n) ArrayPrototypePush(out, entry[1]);
    }
    return out;
  }

  has(name: string): boolean {
    // biome-ignore lint/complexity/noArguments: WebIDL counts the arguments given.
    requireArgs(arguments.length, 1, "has");
    const n = toUSVString(name);
    return indexOfName(this.#entries, n) >= 0;
  }

  set(name: string, value: string | Blob, filename: string | undefined = undefined): void {
    const entries = this.#entries;
    // biome-ignore lint/complexity/noArguments: overload resolution depends on how many arguments were given.
    checkAppendArgs(arguments.length, value, "set");
    const entry = createEntry(name, value, filename, filename !== undefined);
    const i = indexOfName(entries, entry[0]);
    if (i < 0) {
      ArrayPrototypePush(entries, entry);
      return;
    }
    entries[i] = entry;
    this.#entries = without(entries, entry[0], i);
  }

  forEach(
    callback: (value: FormDataEntryValue, name: string, fd: FormData) => void,
    thisArg: unknown = undefined,
  ): void {
    if (typeof callback !== "function") throw new TypeError("FormData.forEach: callback is not a function");
    // Indexed like WebIDL's pair iterators, so entries added or removed meanwhile are seen.
    for (let i = 0; i < this.#entries.length; i++) {
      const entry = this.#entries[i] as Entry;
      ReflectApply(callback, thisArg, [entry[1], entry[0], this]);
    }
  }

  entries(): FormDataIterator<[string, FormDataEntryValue]> {
    return new FormDataIterator(this, "entries");
  }
  keys(): FormDataIterator<string> {
    return new FormDataIterator(this, "keys");
  }
  values(): FormDataIterator<FormDataEntryValue> {
    return new FormDataIterator(this, "values");
  }
  declare [Symbol.iterator]: () => FormDataIterator<[string, FormDataEntryValue]>;
  get [Symbol.toStringTag](): string {
    return "FormData";
  }
}
// WebIDL: @@iterator is the same function object as entries.
ObjectDefineProperty(FormData.prototype, SymbolIterator, {
  value: FormData.prototype.entries,
  writable: true,
  configurable: true,
});

type IterKind = "entries" | "keys" | "values";

/** https://webidl.spec.whatwg.org/#es-default-iterator — a live index over the entry list. */
class FormDataIterator<T> {
  #target: FormData;
  #kind: IterKind;
  #index = 0;

  constructor(target: FormData, kind: IterKind) {
    this.#target = target;
    this.#kind = kind;
  }
  next(): IteratorResult<T, undefined> {
    const entries = entriesOf(this.#target);
    if (this.#index >= entries.length) return { value: undefined, done: true };
    const entry = entries[this.#index++] as Entry;
    const n = entry[0];
    const v = entry[1];
    const value = this.#kind === "keys" ? n : this.#kind === "values" ? v : [n, v];
    return { value: value as T, done: false };
  }
  [Symbol.iterator](): this {
    return this;
  }
  get [Symbol.toStringTag](): string {
    return "FormData Iterator";
  }
}
// The iterator prototype's [[Prototype]] is %IteratorPrototype%, as WebIDL says.
ObjectSetPrototypeOf(FormDataIterator.prototype, ObjectGetPrototypeOf(ObjectGetPrototypeOf([][SymbolIterator]())));

/** @internal the entry list (for serialization). */
export function formDataEntries(fd: FormData): readonly Entry[] {
  return entriesOf(fd);
}

/** Brand check (not `instanceof`, which an app can fake with `FormData[Symbol.hasInstance]`). */
export function isFormData(value: unknown): value is FormData {
  return isFormDataObject(value);
}

/** @internal a FormData holding `entries` (what the body parsers made). */
export function formDataOf(entries: Entry[]): FormData {
  const fd = new FormData();
  setEntries(fd, entries);
  return fd;
}
