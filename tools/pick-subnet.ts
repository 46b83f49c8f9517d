#!/usr/bin/env node
// berth pick-subnet: the subnet a stack's bridge network is created with (a network with an
// explicit small subnet takes none of the ~30 slots of the engine's default pools). Run once per
// stack by the Network component; its answer stays in the stack's state, so later ups never move it.
// Usage: node dist/tools/pick-subnet.js --network <name> --pool <cidr> --prefix-length <n>
// Prints the subnet (e.g. 172.16.12.64/26) on stdout and one line on stderr saying why; exit 1 when
// the pool has no free subnet (naming the settings to change) or the engine cannot be reached, 2 on
// usage errors.
import { readFileSync } from "node:fs";
import { endianness } from "node:os";
import { Cidr, cidr } from "../components/subnets";
import { createEngineClient, EngineClient, plainEndpoint } from "../gate/engine-client";
import { isEngineUnreachable, unreachableMessageFor } from "../gate/engine-errors";
import { exitAfterFlush, runMain } from "../gate/process-exit";
import { errorMessage } from "../gate/types";
import { parsePickSubnetArgs, PickSubnetOptions, PICK_SUBNET_TOOL as TOOL } from "./pick-subnet-args";
import { claimsDirectory, fileClaims, SubnetClaims } from "./subnet-claims";
import { parseProcRoutes, Pick, pickSubnet } from "./subnet-pick";

/** True when the engine runs on this machine, so the host's routes are its routes too. */
export function isLocalEngine(env: NodeJS.ProcessEnv): boolean {
  const endpoint = plainEndpoint(env);
  if (!endpoint) return false;
  return "socketPath" in endpoint || /^(127\.|localhost$|::1$)/.test(endpoint.host);
}

/** The host's IPv4 routes; none where /proc/net/route does not exist (not Linux). */
export function hostRoutes(file = "/proc/net/route"): Cidr[] {
  try {
    return parseProcRoutes(readFileSync(file, "utf8"), endianness() === "LE");
  } catch {
    return [];
  }
}

/**
 * The pick for `o` on the engine `engine` talks to: its networks, the host's routes when it is
 * local, and the subnets other picks on this machine claimed and have not created yet.
 */
export async function pickOnEngine(
  engine: EngineClient,
  o: PickSubnetOptions,
  env: NodeJS.ProcessEnv = process.env,
  claims: SubnetClaims = fileClaims(claimsDirectory(), env.DOCKER_HOST ?? engine.socketPath ?? ""),
): Promise<Pick> {
  const networks = (await engine.networks()).map((n) => ({
    name: n.Name,
    subnets: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [c.Subnet] : [])),
  }));
  const request = {
    networkName: o.network,
    pool: o.pool,
    prefixLength: o.prefixLength,
    networks,
    routes: isLocalEngine(env) ? hostRoutes() : [],
    claimed: [] as Cidr[],
  };
  for (;;) {
    const pick = pickSubnet(request);
    if (pick.kind !== "picked" || claims.claim(pick.subnet, o.network)) return pick;
    request.claimed.push(cidr(pick.subnet));
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parsePickSubnetArgs(argv);
  if (parsed.kind === "exit") {
    if (parsed.message) process.stderr.write(`${parsed.message}\n`);
    return parsed.code;
  }
  const o = parsed.value;
  let engine: EngineClient | undefined;
  let pick: Pick;
  try {
    engine = createEngineClient();
    pick = await pickOnEngine(engine, o);
  } catch (err) {
    const why = isEngineUnreachable(err)
      ? await unreachableMessageFor(engine, err)
      : `could not list the engine's networks: ${errorMessage(err)}`;
    process.stderr.write(`${TOOL}: ${why}\n`);
    return 1;
  }
  if (pick.kind === "exhausted") {
    process.stderr.write(`${TOOL}: ${o.network}: ${pick.message}\n`);
    return 1;
  }
  process.stderr.write(
    pick.kind === "existing"
      ? `${TOOL}: ${o.network} exists with ${pick.subnet}: kept\n`
      : `${TOOL}: ${o.network} gets ${pick.subnet} (${pick.inUse} of the ${pick.total} /${o.prefixLength} subnets of ${o.poolText} were in use)\n`,
  );
  process.stdout.write(`${pick.subnet}\n`);
  return 0;
}

if (require.main === module) runMain(TOOL, () => main(process.argv.slice(2))).then(exitAfterFlush);
