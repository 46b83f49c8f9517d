// Redis settings: the config fragment under berth:redis, its per-environment defaults and the
// rules between its fields. The stack config and the Redis component both use them.
import { z } from "zod";
import { ConfigProblem } from "../problems";
import { Assert, cpus, EnvironmentType, Filled, memoryMb, Same, wholeNumber } from "../fields";

export const MAXMEMORY_POLICIES = [
  "noeviction",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
] as const;

export const redisSchema = z.strictObject({
  memoryMb: memoryMb(16).describe("memory limit, no swap; covers maxmemory + 16 MB").optional(),
  cpus: cpus.describe("CPU limit in cores").optional(),
  maxmemoryMb: wholeNumber(1, 262_144).describe("Redis' maxmemory").optional(),
  maxmemoryPolicy: z.enum(MAXMEMORY_POLICIES).describe("what Redis evicts at maxmemory").optional(),
  durable: z
    .boolean()
    .describe("false: no persistence, /data on a tmpfs; true: an append-only file on a named volume")
    .optional(),
});
export type RedisInput = z.infer<typeof redisSchema>;
/** What Redis evicts when it reaches maxmemory (its `maxmemory-policy`). */
export type MaxmemoryPolicy =
  | "noeviction"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-random"
  | "volatile-ttl";
export type MaxmemoryPoliciesListed = Assert<Same<(typeof MAXMEMORY_POLICIES)[number], MaxmemoryPolicy>>;
/** berth:redis with every default applied. */
export interface RedisSettings {
  /** Memory limit, no swap; covers maxmemory + 16 MB. */
  memoryMb: number;
  /** CPU limit in cores. */
  cpus: number;
  /** Redis' maxmemory, in MB. */
  maxmemoryMb: number;
  maxmemoryPolicy: MaxmemoryPolicy;
  /** false: no persistence, /data on a tmpfs; true: an append-only file on a named volume. */
  durable: boolean;
}
export type RedisSettingsMatchesSchema = Assert<Same<RedisSettings, Filled<RedisInput>>>;

export function redisDefaults(environment: EnvironmentType): RedisSettings {
  const test = environment === "test";
  return {
    memoryMb: test ? 128 : 512,
    cpus: 0.5,
    maxmemoryMb: test ? 64 : 256,
    maxmemoryPolicy: test ? "allkeys-lru" : "noeviction",
    durable: !test,
  };
}

/** Beyond maxmemory, for Redis itself and its buffers. */
export const REDIS_OVERHEAD_MB = 16;
export const REDIS_MIN_MEMORY_MB = 32;

/** Rules between the fields, paths relative to berth:redis. */
export function redisProblems(s: RedisSettings): ConfigProblem[] {
  const need = Math.max(REDIS_MIN_MEMORY_MB, s.maxmemoryMb + REDIS_OVERHEAD_MB);
  if (s.memoryMb >= need) return [];
  return [
    {
      path: ["memoryMb"],
      given: s.memoryMb,
      allowed: `at least ${need} (maxmemory ${s.maxmemoryMb} MB + ${REDIS_OVERHEAD_MB} MB overhead)`,
    },
  ];
}
