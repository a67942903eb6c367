/** @nano/cli — the `nano` program, for embedding and tests. */
export { buildProgram, main } from "./program.js";
