/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#safe-passing-of-structured-data — the
 * serialized form: the records serialize writes and deserialize reads. Buffers are copied into records,
 * so nothing in a record is shared with the original value.
 */
import type { SerializableType } from "./registry.js";

export type Primitive = undefined | null | boolean | number | bigint | string;
export type Serialized = Primitive | Rec;
export type Props = [string, Serialized][];
export type Rec =
  | { t: "boxed"; value: Primitive }
  | { t: "date"; time: number }
  | { t: "regexp"; source: string; flags: string }
  | { t: "buffer"; bytes: ArrayBuffer; maxByteLength: number | undefined }
  | { t: "view"; kind: string; buffer: Rec; byteOffset: number; length: number }
  | { t: "map"; entries: Serialized[] }
  | { t: "set"; values: Serialized[] }
  | { t: "error"; name: string; message?: string; stack?: string; cause?: Serialized; hasCause: boolean }
  | { t: "array"; length: number; props: Props }
  | { t: "object"; props: Props }
  | { t: "host"; type: SerializableType; data: unknown }
  | { t: "transfer"; index: number };

/** The Error constructors an "error" record may name; any other name is serialized as "Error". */
export const ERROR_TYPES: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};
