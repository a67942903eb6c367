/** The commander program: one file per command under commands/. */
import { Command, CommanderError } from "commander";
import { appsCommand } from "./commands/apps.js";
import { cronCommand } from "./commands/cron.js";
import { deployCommand } from "./commands/deploy.js";
import { evalCommand } from "./commands/eval.js";
import { kvCommand } from "./commands/kv.js";
import { loginCommand } from "./commands/login.js";
import { logsCommand } from "./commands/logs.js";
import { replCommand } from "./commands/repl.js";
import { secretsCommand } from "./commands/secrets.js";
import { serveCommand } from "./commands/serve.js";
import { startCommand } from "./commands/start.js";
import { printError } from "./output.js";
import { VERSION } from "./version.js";

/** `nano apps ls`: the command as typed, for pointing at its help. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Usage errors on every command, however deeply nested: commander throws instead of exiting (1, its
 * default; `main` turns a CommanderError into exit code 2), and prints one line on stderr that names
 * the command's help. Options are parsed before any action runs, so a usage error never starts work.
 */
function usageErrors(cmd: Command): void {
  cmd.exitOverride().configureOutput({
    outputError: (text, write) => {
      const message = text
        .replace(/^error: /, "")
        .replace(/\s*\n\s*/g, " ")
        .trim();
      write(`nano: ${message} (see ${commandPath(cmd)} --help)\n`);
    },
  });
  for (const sub of cmd.commands) usageErrors(sub);
}

export function buildProgram(): Command {
  const program = new Command("nano")
    .description("NANO: run Web-standard JavaScript/TypeScript apps in V8 isolates")
    .version(VERSION, "-v, --version");
  for (const cmd of [
    startCommand(),
    deployCommand(),
    appsCommand(),
    secretsCommand(),
    kvCommand(),
    cronCommand(),
    logsCommand(),
    loginCommand(),
    serveCommand(),
    evalCommand(),
    replCommand(),
  ]) {
    program.addCommand(cmd);
  }
  usageErrors(program);
  return program;
}

/**
 * Runs the CLI; resolves to the exit code. Long-running commands resolve when they stop. Exit codes:
 * 0 success (and --help, --version), 1 a failure while running, 2 a usage error — commander's errors
 * (unknown command or option, missing argument or option value, invalid value, missing subcommand)
 * all come from parsing, before any action.
 */
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
