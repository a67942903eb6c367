/**
 * A response body an app streams, read from the worker thread's port (BodyMessage chunks, then an
 * end message) as a Web ReadableStream for node-server. Cancelling it — the client went away — closes
 * the port, which tells the thread to stop the app's stream.
 */
import type { MessagePort } from "node:worker_threads";
import type { BodyMessage } from "@nano/worker";

export function streamFromPort(port: MessagePort): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      port.on("message", (message: BodyMessage) => {
        if (message instanceof ArrayBuffer) {
          controller.enqueue(new Uint8Array(message));
          return;
        }
        port.close();
        if (message.error === null) controller.close();
        else controller.error(new Error(message.error));
      });
    },
    cancel() {
      port.close();
    },
  });
}
