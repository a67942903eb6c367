/**
 * The Piscina worker: one IsolateHost per thread. Imports only the contract and the isolate code,
 * never the pool side. The response body is transferred back, not copied.
 */
import { MessageChannel, type MessagePort, threadId } from "node:worker_threads";
import { Piscina } from "piscina";
import { type BodyMessage, type FetchTask, PULL_BODY, type ScheduledTask, type ThreadData } from "../contract.js";
import { snapshotCopy } from "../isolate/snapshot.js";
import type { KvStore } from "../kv/kv-store.js";
import { FlightRecorder } from "./flight-recorder.js";
import { IsolateHost } from "./isolate-host.js";

const data = Piscina.workerData as ThreadData;
// The thread's own KV connection, opened once (the store's module is named by the pool's owner).
const kv = data.kv
  ? ((await import(data.kv.module)) as { createKvStore(options: unknown): KvStore }).createKvStore(data.kv.options)
  : null;

function createHandler(): (task: FetchTask | ScheduledTask) => Promise<unknown> {
  const recorder = data.recorderPath ? new FlightRecorder(data.recorderPath, threadId) : null;
  const host = new IsolateHost(
    snapshotCopy(data.snapshot),
    data.maxWarmIsolates,
    data.spareIsolates,
    data.outbound,
    recorder,
    kv,
  );
  const move = (value: unknown, transfer: (ArrayBuffer | MessagePort)[]) =>
    Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: value } as unknown as Parameters<
      typeof Piscina.move
    >[0]);
  return async function handle(task: FetchTask | ScheduledTask) {
    if (task.kind === "scheduled") return host.scheduled(task);
    const { stream, ...result } = await host.fetch(task);
    if (stream) {
      // A streamed body goes back through its own port, chunk by chunk, as the app produces it.
      const { port1, port2 } = new MessageChannel();
      // One chunk per pull: the app's stream is drained only as fast as the client reads.
      port1.on("message", (message: unknown) => {
        if (message !== PULL_BODY) return;
        void stream.read().then((read) => {
          if (read instanceof ArrayBuffer) port1.postMessage(read satisfies BodyMessage, [read]);
          else {
            port1.postMessage(read satisfies BodyMessage);
            port1.close();
          }
        });
      });
      // The reader closed its end (the client went away): stop the app's stream.
      port1.once("close", () => stream.cancel());
      return move({ ...result, bodyPort: port2 }, [port2]);
    }
    const body = result.response?.body;
    return body ? move(result, [body]) : result;
  };
}

export default createHandler();
