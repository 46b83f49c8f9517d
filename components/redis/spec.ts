// Redis flags as a pure function: no persistence and an eviction policy for tests, an
// append-only file on a volume when durable.
export interface RedisTuning {
  durable: boolean;
  maxmemoryMb: number;
  maxmemoryPolicy: string;
}

export const REDIS_PORT = 6379;
export const REDIS_DATA = "/data";

export function redisCommand(t: RedisTuning): string[] {
  const persistence = t.durable ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no", "--save", ""];
  return ["redis-server", "--maxmemory", `${t.maxmemoryMb}mb`, "--maxmemory-policy", t.maxmemoryPolicy, ...persistence, "--dir", REDIS_DATA];
}

/** /data on a tmpfs when not durable, owned by the user Redis runs as. */
export function redisTmpfs(t: Pick<RedisTuning, "durable">): Record<string, string> {
  return t.durable ? {} : { [REDIS_DATA]: "rw,nosuid,nodev,size=16m,mode=0700" };
}

export const REDIS_HEALTHCHECK = ["redis-cli", "-h", "127.0.0.1", "ping"];
