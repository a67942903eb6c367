/** The commander program: one file per command under commands/. */
import { Command, CommanderError } from "commander";
import { evalCommand } from "./commands/eval.js";
import { replCommand } from "./commands/repl.js";
import { serveCommand } from "./commands/serve.js";
import { printError } from "./output.js";
import { VERSION } from "./version.js";

export function buildProgram(): Command {
  const program = new Command("nano")
    .description("NANO: run Web-standard JavaScript/TypeScript apps in V8 isolates")
    .version(VERSION, "-v, --version")
    .showHelpAfterError("(run nano --help for usage)")
    .exitOverride();
  program.addCommand(evalCommand());
  program.addCommand(serveCommand());
  program.addCommand(replCommand());
  return program;
}

/** Runs the CLI; resolves to the exit code. Long-running commands resolve when they stop. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    printError(err);
    return 1;
  }
}
