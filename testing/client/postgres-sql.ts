// The SQL and the names of snapshots and clones, and the errors that say what to do (pure:
// tests/unit/client-postgres-sql.test.ts pins them).

/** Postgres truncates identifiers beyond NAMEDATALEN - 1 bytes; a truncated clone name could collide. */
const MAX_IDENTIFIER_BYTES = 63;
/** Every clone's name starts with this, then the run, the process and a counter. */
export const DEFAULT_CLONE_PREFIX = "berth_clone";
/** First key of the two-key advisory lock that serialises work on one template ("bert"). */
export const TEMPLATE_LOCK_CLASS = 0x62657274;
/** CREATE DATABASE … STRATEGY exists from Postgres 15; older servers always copy files. */
const STRATEGY_FROM_VERSION = 150_000;
/** DROP DATABASE … WITH (FORCE) exists from Postgres 13. */
const FORCE_DROP_FROM_VERSION = 130_000;

/** FILE_COPY copies the template's files (no WAL for the data): fast for test-sized databases. */
export type CopyStrategy = "FILE_COPY" | "WAL_LOG";

export type ReapScope = "process" | "run" | "all";

/** Only plain lower-case names: no quoting surprises, and the same name in SQL, URLs and logs. */
export function checkName(name: string, what: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name) || Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) {
    throw new Error(
      `${what} "${name}" is not a usable database name: use lower-case letters, digits and _, starting with a letter or _, at most ${MAX_IDENTIFIER_BYTES} characters`,
    );
  }
  return name;
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** What a reaper matches: every clone, one run's, or one process's. */
export function clonePrefix(prefix: string, scope: ReapScope, run: string, proc: string): string {
  if (scope === "all") return `${prefix}_`;
  if (scope === "run") return `${prefix}_${run}_`;
  return `${prefix}_${run}_${proc}_`;
}

export function cloneName(prefix: string, run: string, proc: string, n: number): string {
  return checkName(
    `${clonePrefix(prefix, "process", run, proc)}${n}`,
    "clone name (from clonePrefix, the run id and the process)",
  );
}

export function createFromSql(target: string, template: string, serverVersion: number, strategy: CopyStrategy): string {
  const clause = serverVersion >= STRATEGY_FROM_VERSION ? ` STRATEGY ${strategy}` : "";
  return `CREATE DATABASE ${ident(target)} TEMPLATE ${ident(template)}${clause}`;
}

/** Ends every other session on `database` (names are checked identifiers: no quote inside). */
const terminate = (database: string) =>
  `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`;

/** Statements that drop a database even while sessions are connected to it (a test's leaked pool). */
export function dropSql(name: string, serverVersion: number): string[] {
  if (serverVersion >= FORCE_DROP_FROM_VERSION) return [`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`];
  return [terminate(name), `DROP DATABASE IF EXISTS ${ident(name)}`];
}

/** A template is marked so and closed to connections: a connected session would block every clone. */
export function markTemplateSql(name: string, template: boolean): string {
  return `ALTER DATABASE ${ident(name)} WITH IS_TEMPLATE ${template} ALLOW_CONNECTIONS ${!template}`;
}

export const SESSIONS_SQL =
  "SELECT pid, usename, application_name, client_addr::text AS client_addr, state, backend_start FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY pid";

/** A row of pg_stat_activity, as SESSIONS_SQL selects it. */
export interface Session {
  pid: number;
  usename: string | null;
  application_name: string | null;
  client_addr: string | null;
  state: string | null;
  backend_start: Date | string | null;
}

export function describeSession(s: Session): string {
  const started = s.backend_start instanceof Date ? s.backend_start.toISOString() : (s.backend_start ?? "?");
  return [
    `pid ${s.pid}`,
    `user ${s.usename ?? "?"}`,
    s.application_name ? `application "${s.application_name}"` : "no application_name",
    s.client_addr ? `from ${s.client_addr}` : "over the local socket",
    `${s.state ?? "state unknown"} (connected at ${started})`,
  ].join(", ");
}

function sessionLines(database: string, sessions: Session[]): string {
  const n = sessions.length;
  if (n === 0) return `sessions were connected to "${database}" but had left by the time they were listed; retry`;
  return `${n} other session${n === 1 ? " is" : "s are"} connected to "${database}", and Postgres copies a database only while nobody else is:\n${sessions.map((s) => `  ${describeSession(s)}`).join("\n")}`;
}

/** snapshot(): the database to copy has other sessions. */
export function sourceInUseMessage(source: string, template: string, sessions: Session[]): string {
  return (
    `cannot snapshot "${source}" as template "${template}": ${sessionLines(source, sessions)}\n` +
    `Close them first: end the pool or client that ran the migrations (await pool.end()). A database a running service ` +
    `uses (the stack's own, which its orchestrator holds open) cannot be snapshotted: migrate a database of the tests' own. ` +
    `To end the sessions anyway: ${terminate(source)};`
  );
}

/** clone(): the template has sessions, so Postgres refuses to copy it. */
export function templateInUseMessage(template: string, sessions: Session[]): string {
  return (
    `cannot clone template "${template}": ${sessionLines(template, sessions)}\n` +
    `snapshot() closes a template to connections (ALLOW_CONNECTIONS false), so nothing should connect to it; these sessions ` +
    `connected before that, or the template was made another way. End them (${terminate(template)};) or snapshot again with { replace: true }.`
  );
}

export function noTemplateMessage(template: string): string {
  return `cannot clone "${template}": no database of that name. Migrate a database, then call snapshot("${template}", { from: "<that database>" }) before clone()`;
}

export function templateExistsMessage(template: string): string {
  return `cannot snapshot as "${template}": a database of that name exists (an earlier snapshot?). Pass { replace: true } to replace it, or choose another name (e.g. one per schema version)`;
}

export function notACloneMessage(name: string, prefix: string): string {
  return `refusing to drop "${name}": not a clone (clone names start with "${prefix}_"); use dropSnapshot() for a template`;
}
