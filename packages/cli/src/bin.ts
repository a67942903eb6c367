#!/usr/bin/env node
/**
 * The `nano` executable. Checks the toolchain first: Node 22 only (snapshots are corrupt on 20,
 * memory limits unenforced on 24 — DESIGN.md §5), and `--no-node-snapshot` on the command line,
 * re-executing itself with it when missing, since isolated-vm cannot run without it.
 */
import { spawnSync } from "node:child_process";

const major = Number(process.versions.node.split(".")[0]);
if (major !== 22 && !process.env.NANO_ALLOW_ANY_NODE) {
  console.error(
    `nano: Node.js 22 is required (this is ${process.version}); run ./nano from the checkout, which provisions it`,
  );
  process.exit(1);
}
if (!process.execArgv.includes("--no-node-snapshot")) {
  const r = spawnSync(process.execPath, ["--no-node-snapshot", ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}
// Loaded only now: isolated-vm must not load in a process without --no-node-snapshot.
const { main } = await import("./program.js");
process.exitCode = await main(process.argv);
