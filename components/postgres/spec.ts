// Postgres container settings as pure functions: tmpfs and durability off for throw-away test
// data, a named volume and durable defaults otherwise.

export interface PostgresTuning {
  /** Data on tmpfs with fsync, synchronous_commit and full_page_writes off. */
  ephemeral: boolean;
  sharedBuffersMb: number;
  tmpfsSizeMb: number;
  /** "uid:gid" of the postgres user in the image: the tmpfs must be owned by it or initdb fails. */
  user: string;
}

export const PGDATA = "/var/lib/postgresql/data";
export const PG_SOCKET_DIR = "/var/run/postgresql";

/** `postgres -c …` flags. */
export function postgresCommand(t: PostgresTuning): string[] {
  const flags: Record<string, string> = {
    shared_buffers: `${t.sharedBuffersMb}MB`,
    listen_addresses: "*",
    ...(t.ephemeral ? { fsync: "off", synchronous_commit: "off", full_page_writes: "off" } : {}),
  };
  return ["postgres", ...Object.entries(flags).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
}

/** tmpfs mounts: the socket directory always (read-only root), the data directory when ephemeral. */
export function postgresTmpfs(t: PostgresTuning): Record<string, string> {
  const [uid, gid] = t.user.split(":");
  const owner = `uid=${uid},gid=${gid ?? uid}`;
  return {
    [PG_SOCKET_DIR]: `rw,nosuid,nodev,size=1m,${owner},mode=0775`,
    ...(t.ephemeral ? { [PGDATA]: `rw,nosuid,nodev,size=${t.tmpfsSizeMb}m,${owner},mode=0700` } : {}),
  };
}

/** pg_isready over TCP: the image's init phase listens on the socket only, so it is not "ready". */
export function postgresHealthcheck(user: string, database: string): string[] {
  return ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", user, "-d", database];
}
