// The command line of set-service-pids (run by SwarmWorkerPool right after the service is created).
import { Command } from "commander";
import { wholeNumber } from "../gate/arg-parsers";
import { ParseResult, parseWith } from "../gate/usage";

export const SERVICE_PIDS_TOOL = "berth set-service-pids";

export interface ServicePidsOptions {
  service: string;
  pidsLimit: number;
}

export function parseServicePidsArgs(argv: string[]): ParseResult<ServicePidsOptions> {
  const program = new Command(SERVICE_PIDS_TOOL)
    .description(
      "Sets a swarm service's pids limit (TaskTemplate.Resources.Limits.Pids, CIS 5.29) and verifies it; the swarm then rolls its tasks once.",
    )
    .requiredOption("--service <name-or-id>", "swarm service to update (DOCKER_HOST must be a manager)")
    .requiredOption("--pids-limit <n>", "maximum number of processes in each task's container", wholeNumber(1));
  return parseWith(program, argv, (o) => ({ service: o.service as string, pidsLimit: o.pidsLimit as number }));
}
