// Redis flags as a pure function: no persistence and an eviction policy for tests, an
// append-only file on a volume otherwise.
export interface RedisTuning {
  persistence: boolean;
  maxmemoryMb: number;
  maxmemoryPolicy: string;
}

export const REDIS_DATA = "/data";

export function redisCommand(t: RedisTuning): string[] {
  const persistence = t.persistence ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no", "--save", ""];
  return ["redis-server", "--maxmemory", `${t.maxmemoryMb}mb`, "--maxmemory-policy", t.maxmemoryPolicy, ...persistence, "--dir", REDIS_DATA];
}

export const REDIS_HEALTHCHECK = ["redis-cli", "-h", "127.0.0.1", "ping"];
