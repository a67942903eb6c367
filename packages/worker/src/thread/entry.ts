/**
 * The Piscina worker: one IsolateHost per thread. Imports only the contract and the isolate code,
 * never the pool side. A large response body is transferred back, not copied. Requests arrive as Piscina
 * tasks or, on the hot path, in batches on the thread's own channel (pool/thread-channel.ts).
 */
import { MessageChannel, type MessagePort, parentPort, threadId } from "node:worker_threads";
import { Piscina } from "piscina";
import type { AssetServer } from "../assets/asset-server.js";
import {
  type BodyMessage,
  type ChannelAnswer,
  type ChannelRequest,
  type ConnectResult,
  type ConnectTask,
  type FetchResult,
  type FetchTask,
  PULL_BODY,
  type ScheduledTask,
  type ThreadData,
  TRANSFER_MIN_BYTES,
} from "../contract.js";
import { snapshotCopy } from "../isolate/snapshot.js";
import type { KvStore } from "../kv/kv-store.js";
import { FlightRecorder } from "./flight-recorder.js";
import { IsolateHost } from "./isolate-host.js";
import { socketPort } from "./socket-port.js";
import { reportStats } from "./stats-reporter.js";

/** How long a connect task waits for the others to reach their threads. */
const CONNECT_WAIT_MS = 2_000;

type Transfer = (ArrayBuffer | MessagePort)[];

const data = Piscina.workerData as ThreadData;
// The thread's own KV connection, opened once (the store's module is named by the pool's owner).
const kv = data.kv
  ? ((await import(data.kv.module)) as { createKvStore(options: unknown): KvStore }).createKvStore(data.kv.options)
  : null;

// The thread's own asset server for `env.ASSETS` (reads the blobs itself, with its own cache).
const assets = data.assets
  ? ((await import(data.assets.module)) as { createAssetServer(options: unknown): AssetServer }).createAssetServer(
      data.assets.options,
    )
  : null;

function createHandler(): (task: FetchTask | ConnectTask | ScheduledTask) => Promise<unknown> {
  const recorder = data.recorderPath ? new FlightRecorder(data.recorderPath, threadId) : null;
  const host = new IsolateHost(
    snapshotCopy(data.snapshot),
    data.maxWarmIsolates,
    data.spareIsolates,
    data.outbound,
    recorder,
    kv,
    { ...(data.warmMemoryBytes !== null ? { memoryBytes: data.warmMemoryBytes } : {}), idleMs: data.warmIdleMs },
    assets,
  );
  reportStats(host, parentPort);
  const move = (value: unknown, transfer: Transfer) =>
    Piscina.move({ [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: value } as unknown as Parameters<
      typeof Piscina.move
    >[0]);

  /** One request: its result and what to transfer with it. */
  async function run(task: FetchTask): Promise<{ result: FetchResult; transfer: Transfer }> {
    const { stream, socket, ...result } = await host.fetch(task);
    if (socket) {
      const port = socketPort(socket);
      return { result: { ...result, webSocketPort: port }, transfer: [port] };
    }
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
      return { result: { ...result, bodyPort: port2 }, transfer: [port2] };
    }
    const body = result.response?.body;
    return { result, transfer: body && body.byteLength >= TRANSFER_MIN_BYTES ? [body] : [] };
  }

  let channel: MessagePort | null = null;
  function openChannel(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    channel = port1;
    // Answers finished in the same turn leave together; each request is answered as soon as it is
    // done, so a slow one never holds back the others of its batch.
    let answers: ChannelAnswer[] = [];
    let transfer: Transfer = [];
    let armed = false;
    const flush = () => {
      armed = false;
      const out = answers;
      const moved = transfer;
      answers = [];
      transfer = [];
      port1.postMessage(out, moved);
    };
    const answer = (a: ChannelAnswer, t: Transfer) => {
      answers.push(a);
      for (const x of t) transfer.push(x);
      if (!armed) {
        armed = true;
        setImmediate(flush);
      }
    };
    port1.on("message", (batch: ChannelRequest[]) => {
      for (const { id, task } of batch) {
        run(task).then(
          ({ result, transfer: t }) => answer({ id, result, error: null }, t),
          (err: unknown) => answer({ id, result: null, error: err instanceof Error ? err.message : String(err) }, []),
        );
      }
    });
    return port2;
  }

  /** Hands out this thread's channel once, after every connect task of the round reached a thread. */
  async function connect(task: ConnectTask): Promise<ConnectResult> {
    const arrived = new Int32Array(task.arrived);
    Atomics.add(arrived, 0, 1);
    const until = Date.now() + CONNECT_WAIT_MS;
    while (Atomics.load(arrived, 0) < task.of && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    if (channel !== null) return { threadId, port: null, state: null };
    const port = openChannel();
    return move({ threadId, port, state: host.spareState } satisfies ConnectResult, [port]) as unknown as ConnectResult;
  }

  return async function handle(task: FetchTask | ConnectTask | ScheduledTask) {
    if (task.kind === "connect") return connect(task);
    if (task.kind === "scheduled") return host.scheduled(task);
    const { result, transfer } = await run(task);
    return transfer.length > 0 ? move(result, transfer) : result;
  };
}

export default createHandler();
