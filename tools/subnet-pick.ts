// Which subnet a stack's network gets (pure; the pick-subnet tool feeds it the engine's networks and
// the host's routes). A network that already carries the stack's name keeps its subnet (a killed
// run's leftover is reused, never moved); otherwise the first free subnet of the pool in an order
// derived from the network's name, so parallel stacks rarely reach for the same one.
import { createHash } from "node:crypto";
import { keyPath } from "../components/problems";
import { blockOf, blockSize, Cidr, formatCidr, overlaps, subnetAt, subnetCount } from "../components/subnets";

/** A network as the engine lists it: its name and the subnets of its IPAM config. */
export interface EngineNetwork {
  name: string;
  subnets: string[];
}

export interface PickRequest {
  networkName: string;
  pool: Cidr;
  prefixLength: number;
  networks: EngineNetwork[];
  /** The host's routes (the local engine's host), the default route left out. */
  routes: Cidr[];
  /** Subnets other picks in progress have claimed (subnet-claims.ts). @default none */
  claimed?: Cidr[];
}

export type Pick =
  | { kind: "existing"; subnet: string }
  | { kind: "picked"; subnet: string; inUse: number; total: number }
  | { kind: "exhausted"; inUse: number; total: number; message: string };

/** The IPv4 subnets of a network's IPAM config (IPv6 ones and anything unparsable left out). */
export function ipv4Subnets(n: EngineNetwork): Cidr[] {
  return n.subnets.flatMap((s) => {
    const block = blockOf(s);
    return block ? [{ base: block.base, prefixLength: block.prefixLength }] : [];
  });
}

/**
 * The order in which a network tries the pool's `count` subnets: from an offset and with an odd
 * stride (a permutation, since count is a power of two), both from a hash of its name. Two stacks
 * whose offsets land in one run of taken subnets then leave it at different places, not both at
 * its end as with a stride of 1.
 */
export function probeOrder(networkName: string, count: number): { start: number; stride: number } {
  const digest = createHash("sha256").update(networkName).digest();
  return { start: digest.readUInt32BE(0) % count, stride: (digest.readUInt32BE(4) % count) | 1 };
}

/** Index ranges [from, to) of the pool's subnets that some taken block overlaps, sorted and merged. */
export function blockedRanges(pool: Cidr, prefixLength: number, taken: Cidr[]): [number, number][] {
  const size = blockSize(prefixLength);
  const poolEnd = pool.base + blockSize(pool.prefixLength);
  const ranges = taken
    .filter((t) => overlaps(t, pool))
    .map((t): [number, number] => {
      const from = Math.max(t.base, pool.base) - pool.base;
      const to = Math.min(t.base + blockSize(t.prefixLength), poolEnd) - pool.base;
      return [Math.floor(from / size), Math.ceil(to / size)];
    })
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

function isBlocked(ranges: [number, number][], index: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index < ranges[mid][0]) hi = mid - 1;
    else if (index >= ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

export function exhaustedMessage(pool: Cidr, prefixLength: number, inUse: number, total: number): string {
  return (
    `no free /${prefixLength} subnet in ${keyPath(["network", "subnetPool"])} ${formatCidr(pool)}: ${inUse} of its ${total} overlap the engine's networks ` +
    `or the host's routes. Give ${keyPath(["network", "subnetPool"])} a larger or another block, or ${keyPath(["network", "subnetPrefixLength"])} ` +
    `a larger number (smaller subnets), or remove networks no stack uses (docker network ls --filter label=berth.project)`
  );
}

export function pickSubnet(r: PickRequest): Pick {
  const own = r.networks.find((n) => n.name === r.networkName);
  const ownSubnet = own ? ipv4Subnets(own)[0] : undefined;
  if (ownSubnet) return { kind: "existing", subnet: formatCidr(ownSubnet) };
  const total = subnetCount(r.pool, r.prefixLength);
  const ranges = blockedRanges(r.pool, r.prefixLength, [
    ...r.networks.flatMap(ipv4Subnets),
    ...r.routes,
    ...(r.claimed ?? []),
  ]);
  const inUse = ranges.reduce((n, [from, to]) => n + to - from, 0);
  if (inUse >= total)
    return { kind: "exhausted", inUse, total, message: exhaustedMessage(r.pool, r.prefixLength, inUse, total) };
  const { start, stride } = probeOrder(r.networkName, total);
  for (let k = 0; ; k++) {
    const index = (start + k * stride) % total;
    if (!isBlocked(ranges, index))
      return { kind: "picked", subnet: formatCidr(subnetAt(r.pool, r.prefixLength, index)), inUse, total };
  }
}

/**
 * The routes of /proc/net/route: destination and mask in the host's byte order (hex), one route a
 * line after the header. The default route (mask 0) is left out: it overlaps everything.
 */
export function parseProcRoutes(text: string, littleEndian = true): Cidr[] {
  const word = (hex: string): number => {
    const n = parseInt(hex, 16);
    return littleEndian ? Buffer.from([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]).readUInt32BE(0) : n >>> 0;
  };
  return text
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && /^[0-9A-Fa-f]{8}$/.test(f[1]) && /^[0-9A-Fa-f]{8}$/.test(f[7]))
    .flatMap((f) => {
      const mask = word(f[7]);
      const prefixLength = mask.toString(2).replace(/0+$/, "").length;
      if (prefixLength === 0) return [];
      const destination = word(f[1]);
      return [{ base: destination - (destination % blockSize(prefixLength)), prefixLength }];
    });
}
