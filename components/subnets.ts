// IPv4 CIDR blocks as berth uses them for stack networks: parsing (Node's own address parser does
// the dotted quad), the subnets of a pool, overlap, and the defaults of berth:network.subnetPool and
// subnetPrefixLength. Pure: the pick tool (tools/pick-subnet.ts) and the config schema share it.
import { isIPv4 } from "node:net";
import type { ConfigProblem } from "./problems";
import { distInvocation, shellQuote } from "./gate/command-line";

/** An IPv4 block: its first address as an unsigned 32-bit number, and its prefix length. */
export interface Cidr {
  base: number;
  prefixLength: number;
}

/**
 * The pool berth takes stack subnets from. RFC 1918 space outside the engine's default pools
 * (172.17–172.31/16 and 192.168/16 for bridges, 10/8 for swarm overlays), so berth's networks and
 * the ones Docker allocates by itself never compete; the pick also skips anything in use.
 */
export const DEFAULT_SUBNET_POOL = "172.16.0.0/16";
/**
 * /26: 64 addresses, 61 for containers after the network, broadcast and gateway addresses. A
 * stack uses 4 (Postgres, Redis, the orchestrator, the workers' namespace holder: the workers
 * share its address), which leaves 57 for a team's own AppContainers; the default pool holds 1024.
 */
export const DEFAULT_SUBNET_PREFIX_LENGTH = 26;
/** The longest prefix a stack subnet may have: /29 leaves 5 container addresses, the stack's 4 and one. */
export const MAX_SUBNET_PREFIX_LENGTH = 29;

const FULL = 2 ** 32;

/** The dotted quad of an unsigned 32-bit address. */
export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.base)}/${c.prefixLength}`;
}

/** Size of a block with this prefix length. */
export const blockSize = (prefixLength: number): number => 2 ** (32 - prefixLength);

function addressOf(quad: string): number {
  return quad.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** The block "a.b.c.d/n" names, whatever address inside it is written (the engine may list 10.1.2.3/24); undefined when it is not IPv4 CIDR. */
export function blockOf(text: string): (Cidr & { address: number }) | undefined {
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text.trim());
  const prefixLength = match ? Number(match[2]) : NaN;
  if (!match || !isIPv4(match[1]) || prefixLength > 32) return undefined;
  const address = addressOf(match[1]);
  return { base: address - (address % blockSize(prefixLength)), prefixLength, address };
}

/**
 * "a.b.c.d/n" as a block, or why not (in the words of a config problem's "allowed"). The address
 * must be the block's first one: 172.16.0.1/16 is refused rather than silently read as 172.16.0.0/16.
 */
export function parseCidr(text: string): Cidr | { problem: string } {
  const block = blockOf(text);
  if (!block) return { problem: 'an IPv4 block in CIDR notation, e.g. "172.16.0.0/16"' };
  const { base, prefixLength } = block;
  if (base !== block.address)
    return { problem: `the block's first address: "${formatCidr({ base, prefixLength })}" (not ${text.trim()})` };
  return { base, prefixLength };
}

/** parseCidr for values known to be valid (from the engine or already validated); throws otherwise. */
export function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if ("problem" in c) throw new Error(`not ${c.problem}: ${JSON.stringify(text)}`);
  return c;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + blockSize(b.prefixLength) && b.base < a.base + blockSize(a.prefixLength);
}

/** How many subnets of `prefixLength` the pool holds (0 when they are larger than the pool). */
export function subnetCount(pool: Cidr, prefixLength: number): number {
  return prefixLength < pool.prefixLength ? 0 : 2 ** (prefixLength - pool.prefixLength);
}

/** The i-th subnet of `prefixLength` in the pool. */
export function subnetAt(pool: Cidr, prefixLength: number, index: number): Cidr {
  return { base: (pool.base + index * blockSize(prefixLength)) % FULL, prefixLength };
}

/** True when `c` is one of the pool's subnets of `prefixLength`. */
export function isSubnetOf(c: Cidr, pool: Cidr, prefixLength: number): boolean {
  return (
    c.prefixLength === prefixLength &&
    c.base >= pool.base &&
    c.base + blockSize(prefixLength) <= pool.base + blockSize(pool.prefixLength)
  );
}

/** Why a pool and prefix length cannot give stack subnets (paths relative to berth:network); [] when they can. */
export function subnetSettingsProblems(pool: string, prefixLength: number): ConfigProblem[] {
  const parsed = parseCidr(pool);
  if ("problem" in parsed) return [{ path: ["subnetPool"], given: pool, allowed: parsed.problem }];
  if (prefixLength < parsed.prefixLength) {
    return [
      {
        path: ["subnetPrefixLength"],
        given: prefixLength,
        allowed: `${parsed.prefixLength} or more: a stack's subnet lies inside network.subnetPool (${pool})`,
      },
    ];
  }
  return [];
}

/** The pick-subnet tool's command line for a network (its stdout is the subnet). */
export function pickSubnetCommandLine(networkName: string, pool: string, prefixLength: number): string {
  return [
    distInvocation("tools/pick-subnet"),
    "--network",
    shellQuote(networkName),
    "--pool",
    shellQuote(pool),
    "--prefix-length",
    String(prefixLength),
  ].join(" ");
}
