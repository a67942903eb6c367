/**
 * The deploy checker process: loads each bundle in a throwaway isolate (checkApp) on the
 * supervisor's behalf. A bundle that kills V8 kills only this process; the supervisor fails that
 * deploy and starts another checker. Checks arrive one at a time.
 */
import { NanoError } from "@nano/worker";
import { loadRuntimeSnapshot } from "@nano/worker/isolate";
import { checkApp } from "./app-check.js";
import type { FromChecker, ToChecker } from "./ipc.js";

const send = (msg: FromChecker) => process.send?.(msg);
// The supervisor is gone: so is the reason to exist.
process.on("disconnect", () => process.exit(0));
process.on("SIGINT", () => {}); // Ctrl-C reaches the whole process group: the supervisor decides.

const snapshot = loadRuntimeSnapshot();
process.on("message", (msg: ToChecker) => {
  if (msg.t !== "check") return;
  try {
    const checked = checkApp(snapshot, msg.code, {
      name: msg.name,
      vars: msg.vars,
      limits: msg.limits,
      ...(msg.kv ? { kv: msg.kv } : {}),
    });
    send({
      t: "checked",
      id: msg.id,
      kind: checked.kind,
      cachedData: checked.cachedData ? new Uint8Array(checked.cachedData) : null,
    });
  } catch (err) {
    const e = err instanceof NanoError ? err : new NanoError("NANO_ERR_APP_LOAD", String(err));
    send({ t: "failed", id: msg.id, code: e.code, message: e.message });
  }
});
send({ t: "ready" });
