// Redis flags as a pure function: no persistence and an eviction policy for tests, an
// append-only file on a volume when durable.
export interface RedisTuning {
  durable: boolean;
  maxmemoryMb: number;
  maxmemoryPolicy: string;
  /** Require the password in $REDIS_PASSWORD (read by a shell, so it never stands in the command). */
  passwordFromEnv?: boolean;
}

export const REDIS_PORT = 6379;
export const REDIS_DATA = "/data";

export function redisCommand(t: RedisTuning): string[] {
  const persistence = t.durable
    ? ["--appendonly", "yes", "--appendfsync", "everysec"]
    : ["--appendonly", "no", "--save", ""];
  const server = [
    "redis-server",
    "--maxmemory",
    `${t.maxmemoryMb}mb`,
    "--maxmemory-policy",
    t.maxmemoryPolicy,
    ...persistence,
    "--dir",
    REDIS_DATA,
  ];
  if (!t.passwordFromEnv) return server;
  // `docker inspect` shows the command: the shell expands the password only inside the container.
  const quoted = server.map((w) => (w === "" ? "''" : w)).join(" ");
  return ["sh", "-c", `exec ${quoted} --requirepass "$REDIS_PASSWORD"`];
}

/** /data on a tmpfs when not durable, owned by the user Redis runs as. */
export function redisTmpfs(t: Pick<RedisTuning, "durable">): Record<string, string> {
  return t.durable ? {} : { [REDIS_DATA]: "rw,nosuid,nodev,size=16m,mode=0700" };
}

export const REDIS_HEALTHCHECK = ["redis-cli", "-h", "127.0.0.1", "ping"];

/** A redis:// URL, the password percent-encoded. */
export function redisUrl(host: string, port: number, password?: string): string {
  return password === undefined
    ? `redis://${host}:${port}`
    : `redis://:${encodeURIComponent(password)}@${host}:${port}`;
}
