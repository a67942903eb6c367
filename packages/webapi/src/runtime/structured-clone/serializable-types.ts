/**
 * https://html.spec.whatwg.org/multipage/structured-data.html#serializable-objects — the serialize and
 * deserialize steps of the platform classes that are serializable: File and Blob
 * (https://w3c.github.io/FileAPI/#blob-section, #file-section) and CryptoKey
 * (https://w3c.github.io/webcrypto/#cryptokey-interface-clone).
 *
 * A blob's bytes are immutable, so the copy shares them; a CryptoKey's copy shares its host key handle
 * (the key material is immutable too), which the key factory releases once no copy of it is left.
 */
import {
  type Blob,
  blobBytes,
  blobFromBytes,
  blobType,
  type File,
  fileFromBytes,
  fileInfo,
  isBlob,
  isFile,
} from "../blob.js";
import { type CryptoKey, cloneCryptoKey, isCryptoKey } from "../crypto/crypto-key.js";
import { registerSerializable } from "./registry.js";

interface BlobData {
  bytes: Uint8Array;
  type: string;
  name: string;
  lastModified: number;
}

// File before Blob: a File is a Blob too, and its name and lastModified must travel with it.
registerSerializable({
  is: (value) => isFile(value),
  serialize: (value): BlobData => {
    const info = fileInfo(value as File);
    return {
      bytes: blobBytes(value as File),
      type: blobType(value as File),
      name: info.name,
      lastModified: info.lastModified,
    };
  },
  deserialize: (data) => {
    const d = data as BlobData;
    return fileFromBytes(d.bytes, d.name, d.type, d.lastModified);
  },
});

registerSerializable({
  is: (value) => isBlob(value),
  serialize: (value) => ({ bytes: blobBytes(value as Blob), type: blobType(value as Blob) }),
  deserialize: (data) => {
    const d = data as BlobData;
    return blobFromBytes(d.bytes, d.type);
  },
});

registerSerializable({
  is: (value) => isCryptoKey(value),
  // The record keeps the key itself: serialization never leaves the isolate.
  serialize: (value) => value,
  deserialize: (data) => cloneCryptoKey(data as CryptoKey),
});
