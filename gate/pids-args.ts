// The command line of set-pids-limit (run by the hardened-service component).
import { Command } from "commander";
import { wholeNumber } from "./arg-parsers";
import { ParseResult, parseWith } from "./usage";

export const PIDS_TOOL = "berth set-pids-limit";

export interface PidsOptions {
  container: string;
  pidsLimit: number;
}

export function parsePidsArgs(argv: string[]): ParseResult<PidsOptions> {
  const program = new Command(PIDS_TOOL)
    .description("Sets a container's pids limit (CIS 5.29) and verifies it.")
    .requiredOption("--container <name-or-id>", "container to update")
    .requiredOption("--pids-limit <n>", "maximum number of processes in the container", wholeNumber(1));
  return parseWith(program, argv, (o) => ({ container: o.container as string, pidsLimit: o.pidsLimit as number }));
}
