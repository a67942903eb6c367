/**
 * Errors the host raises with the DOMException name the runtime rethrows them as; crypto-host.ts
 * turns them into the bridge's `Error("<name>\u001f<message>")`.
 */
export class CryptoError extends Error {
  constructor(
    readonly domName: string,
    message: string,
  ) {
    super(message);
  }
}

export const fail = (name: string, message: string): never => {
  throw new CryptoError(name, message);
};

/** Runs a cipher primitive: our own failures keep their name, any node:crypto error is an OperationError. */
export function runCipher(f: () => Buffer): Buffer {
  try {
    return f();
  } catch (err) {
    return err instanceof CryptoError ? fail(err.domName, err.message) : fail("OperationError", "the operation failed");
  }
}
