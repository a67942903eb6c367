/**
 * https://html.spec.whatwg.org/multipage/structured-data.html — structuredClone and the structured
 * serialize/deserialize algorithms, written in JS (V8's ValueSerializer is not reachable from inside an
 * isolate): the family's public face for the rest of the runtime. The parts live in structured-clone/:
 *   clone.ts           structuredClone and (de)serialize with transfer
 *   serialize.ts       a value to records
 *   deserialize.ts     records to a value
 *   records.ts         the serialized form
 *   registry.ts        the serializable and transferable platform classes
 *   brand-checks.ts    brand checks on built-ins
 *   serializable-types.ts  Blob, File and CryptoKey's serialize and deserialize steps
 */
import "./structured-clone/serializable-types.js";

export { cloneWithTransfer, structuredClone, toObjectSequence, toTransferList } from "./structured-clone/clone.js";
export {
  registerPlatformClasses,
  registerSerializable,
  registerTransferable,
  type SerializableType,
  type TransferableType,
} from "./structured-clone/registry.js";
