// Postgres container settings as pure functions: tmpfs and durability off for throw-away test
// data, a named volume and durable defaults otherwise.

export interface PostgresTuning {
  /** false: data on tmpfs with fsync, synchronous_commit and full_page_writes off. */
  durable: boolean;
  sharedBuffersMb: number;
  tmpfsSizeMb: number;
  /** More `-c key=value` settings; they win over berth's own. */
  serverSettings?: Record<string, string>;
}

export const POSTGRES_PORT = 5432;
export const PGDATA = "/var/lib/postgresql/data";
export const PG_SOCKET_DIR = "/var/run/postgresql";

/**
 * Postgres' fast shutdown: it ends every session and stops at once. On SIGTERM (smart shutdown)
 * it waits for its clients to leave, which a pool never does, so every stop ran into the kill;
 * the official image's STOPSIGNAL is SIGINT for the same reason.
 */
export const POSTGRES_STOP_SIGNAL = "SIGINT";

/** `postgres -c …` flags. */
export function postgresCommand(t: PostgresTuning): string[] {
  const flags: Record<string, string> = {
    shared_buffers: `${t.sharedBuffersMb}MB`,
    listen_addresses: "*",
    ...(t.durable ? {} : { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }),
    ...(t.serverSettings ?? {}),
  };
  return ["postgres", ...Object.entries(flags).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
}

/**
 * tmpfs mounts the server writes to: the socket directory always (read-only root), the data
 * directory when not durable. Both must be owned by the user Postgres runs as, or initdb fails.
 */
export function postgresTmpfs(t: PostgresTuning): Record<string, string> {
  return {
    [PG_SOCKET_DIR]: "rw,nosuid,nodev,size=1m,mode=0775",
    ...(t.durable ? {} : { [PGDATA]: `rw,nosuid,nodev,size=${t.tmpfsSizeMb}m,mode=0700` }),
  };
}

/** pg_isready over TCP: the image's init phase listens on the socket only, so it is not "ready". */
export function postgresHealthcheck(user: string, database: string): string[] {
  return ["pg_isready", "-h", "127.0.0.1", "-p", String(POSTGRES_PORT), "-U", user, "-d", database];
}

/** A postgres:// URL; user and password percent-encoded, so `/`, `?`, `#` or `@` in them stay theirs. */
export function postgresUrl(p: {
  user: string;
  password: string;
  host: string;
  port: number;
  database: string;
}): string {
  return `postgres://${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}@${p.host}:${p.port}/${encodeURIComponent(p.database)}`;
}
