/** The commander program: one file per command under commands/. */
import { Command, CommanderError } from "commander";
import { appsCommand } from "./commands/apps.js";
import { deployCommand } from "./commands/deploy.js";
import { evalCommand } from "./commands/eval.js";
import { loginCommand } from "./commands/login.js";
import { logsCommand } from "./commands/logs.js";
import { replCommand } from "./commands/repl.js";
import { secretsCommand } from "./commands/secrets.js";
import { serveCommand } from "./commands/serve.js";
import { startCommand } from "./commands/start.js";
import { printError } from "./output.js";
import { VERSION } from "./version.js";

export function buildProgram(): Command {
  const program = new Command("nano")
    .description("NANO: run Web-standard JavaScript/TypeScript apps in V8 isolates")
    .version(VERSION, "-v, --version")
    .showHelpAfterError("(run nano --help for usage)")
    .exitOverride();
  for (const cmd of [
    startCommand(),
    deployCommand(),
    appsCommand(),
    secretsCommand(),
    logsCommand(),
    loginCommand(),
    serveCommand(),
    evalCommand(),
    replCommand(),
  ]) {
    program.addCommand(cmd);
  }
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
