// The command line of pick-subnet (run by the Network component before it creates a bridge).
import { Command, InvalidArgumentError } from "commander";
import { Cidr, MAX_SUBNET_PREFIX_LENGTH, parseCidr, subnetSettingsProblems } from "../components/subnets";
import { DOCKER_OBJECT_NAME, wholeNumber } from "../gate/arg-parsers";
import { ParseResult, parseWith, UsageError } from "../gate/usage";

export const PICK_SUBNET_TOOL = "berth pick-subnet";

export interface PickSubnetOptions {
  network: string;
  pool: Cidr;
  poolText: string;
  prefixLength: number;
}

function networkName(value: string): string {
  if (!DOCKER_OBJECT_NAME.test(value))
    throw new InvalidArgumentError(
      "expected a Docker network name: letters, digits, _, . and -, starting with a letter or digit",
    );
  return value;
}

function pool(value: string): string {
  const parsed = parseCidr(value);
  if ("problem" in parsed) throw new InvalidArgumentError(`expected ${parsed.problem}`);
  return value;
}

export function parsePickSubnetArgs(argv: string[]): ParseResult<PickSubnetOptions> {
  const program = new Command(PICK_SUBNET_TOOL)
    .description(
      "Prints the IPv4 subnet a stack's network gets: its own if a network of that name exists, else the first free one of the pool (skipping the engine's networks and, for a local engine, the host's routes).",
    )
    .requiredOption(
      "--network <name>",
      "the network's name (also seeds where in the pool the search starts)",
      networkName,
    )
    .requiredOption("--pool <cidr>", "the block subnets are taken from, e.g. 172.16.0.0/16", pool)
    .requiredOption(
      "--prefix-length <n>",
      "the prefix length of each subnet, e.g. 26",
      wholeNumber(1, MAX_SUBNET_PREFIX_LENGTH),
    );
  return parseWith(program, argv, (o) => {
    const poolText = o.pool as string;
    const prefixLength = o.prefixLength as number;
    const problem = subnetSettingsProblems(poolText, prefixLength)[0];
    if (problem) throw new UsageError(`--prefix-length ${prefixLength}: expected ${problem.allowed}`);
    return { network: o.network as string, pool: parseCidr(poolText) as Cidr, poolText, prefixLength };
  });
}
