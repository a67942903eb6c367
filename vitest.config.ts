import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    // isolated-vm needs --no-node-snapshot on the command line of every process that loads it:
    // child processes (forks) take it in execArgv; worker threads cannot.
    pool: "forks",
    execArgv: ["--no-node-snapshot"],
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
