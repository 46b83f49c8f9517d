// Runs a commander program so that every usage problem becomes one line and exit code 2, and
// --help/--version exit 0: no stack trace, no multi-line commander output.
import { Command, CommanderError } from "commander";

export class UsageError extends Error {}

export type ParseResult<T> = { kind: "ok"; value: T } | { kind: "exit"; code: number; message?: string };

/** Parses argv with the program; `build` turns commander's options into the tool's options (may throw UsageError). */
export function parseWith<T>(
  program: Command,
  argv: string[],
  build: (opts: Record<string, unknown>) => T,
): ParseResult<T> {
  program
    .exitOverride()
    .showSuggestionAfterError(false)
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  try {
    program.parse(argv, { from: "user" });
    return { kind: "ok", value: build(program.opts()) };
  } catch (err) {
    if (err instanceof UsageError) return { kind: "exit", code: 2, message: `${program.name()}: ${err.message}` };
    if (!(err instanceof CommanderError)) throw err;
    if (err.exitCode === 0) return { kind: "exit", code: 0 }; // help or version, already printed to stdout
    return { kind: "exit", code: 2, message: `${program.name()}: ${usageLine(program, err)}` };
  }
}

function usageLine(program: Command, err: CommanderError): string {
  const line = err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
  if (err.code === "commander.excessArguments")
    return `unexpected argument '${program.args[0]}': every value needs its flag (see --help)`;
  if (err.code !== "commander.unknownOption") return line;
  const allowed = program.options.map((o) => o.long).filter((f): f is string => f !== undefined);
  return `${line}; allowed: ${allowed.join(", ")}`;
}
