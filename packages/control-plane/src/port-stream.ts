/**
 * A response body an app streams, read from the worker thread's port as a Web ReadableStream for
 * node-server: each pull asks the thread for one chunk (PULL_BODY), and node-server pulls only when
 * the socket has drained, so an app's stream moves exactly as fast as the client reads it.
 * Cancelling it — the client went away — closes the port, which tells the thread to stop the app's
 * stream.
 */
import type { MessagePort } from "node:worker_threads";
import { type BodyMessage, PULL_BODY } from "@nano/worker";

export function streamFromPort(port: MessagePort): ReadableStream<Uint8Array> {
  let answer: ((message: BodyMessage) => void) | null = null;
  port.on("message", (message: BodyMessage) => answer?.(message));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      return new Promise<void>((resolve) => {
        answer = (message) => {
          answer = null;
          if (message instanceof ArrayBuffer) controller.enqueue(new Uint8Array(message));
          else {
            port.close();
            if (message.error === null) controller.close();
            else controller.error(new Error(message.error));
          }
          resolve();
        };
        port.postMessage(PULL_BODY);
      });
    },
    cancel() {
      port.close();
    },
  });
}
