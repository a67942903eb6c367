/**
 * The Piscina worker: one IsolateHost per thread. Imports only the contract and the isolate code,
 * never the pool side. The response body is transferred back, not copied.
 */
import { MessageChannel, type MessagePort, parentPort, threadId } from "node:worker_threads";
import { Piscina } from "piscina";
import { type BodyMessage, type FetchTask, PULL_BODY, type ThreadData } from "../contract.js";
import { snapshotCopy } from "../isolate/snapshot.js";
import { FlightRecorder } from "./flight-recorder.js";
import { IsolateHost } from "./isolate-host.js";
import { reportStats } from "./stats-reporter.js";

function createHandler(): (task: FetchTask) => Promise<unknown> {
  const data = Piscina.workerData as ThreadData;
  const recorder = data.recorderPath ? new FlightRecorder(data.recorderPath, threadId) : null;
  const host = new IsolateHost(
    snapshotCopy(data.snapshot),
    data.maxWarmIsolates,
    data.spareIsolates,
    data.outbound,
    recorder,
    { ...(data.warmMemoryBytes !== null ? { memoryBytes: data.warmMemoryBytes } : {}), idleMs: data.warmIdleMs },
  );
  reportStats(host, parentPort);
  const move = (value: unknown, transfer: (ArrayBuffer | MessagePort)[]) =>
    Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: value } as unknown as Parameters<
      typeof Piscina.move
    >[0]);
  return async function handle(task: FetchTask) {
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
