// Prototype (issue 11, item 4): a Postgres image derived from any image that follows the official
// postgres image's contract (Debian or Alpine layout), holding a data directory initialised once,
// at build time, for a given user and database. At start, berth-postgres-start.sh copies it into
// the (tmpfs) PGDATA and sets the password from POSTGRES_PASSWORD in single-user mode, before the
// server listens; then it hands over to the image's own entrypoint, which finds PG_VERSION and
// starts the server at once: no initdb, no temporary server, no restart on the critical path.
// No password is in any layer: the template's superuser has none until the container sets it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where the template lives in the derived image: beside PGDATA, outside any tmpfs or VOLUME. */
export const TEMPLATE_DIR = "/var/lib/postgresql/berth-template";

/**
 * The derived image's entrypoint (POSIX sh: dash on Debian, busybox ash on Alpine). Runs as the
 * container's user (berth: the image's postgres uid, read-only root, PGDATA on tmpfs).
 */
export const START_SCRIPT = `#!/bin/sh
# berth: Postgres from a data directory initialised when this image was built.
set -eu
if [ "\${1:-}" = postgres ] && [ ! -s "\${PGDATA:?}/PG_VERSION" ]; then
  user=\${POSTGRES_USER:-postgres}
  db=\${POSTGRES_DB:-$user}
  if [ "$user" = "$BERTH_PG_TEMPLATE_USER" ] && [ "$db" = "$BERTH_PG_TEMPLATE_DB" ]; then
    : "\${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
    case "$POSTGRES_PASSWORD" in *'
'*) echo "berth-postgres-start: POSTGRES_PASSWORD must be a single line" >&2; exit 1 ;; esac
    cp -a "$BERTH_PG_TEMPLATE/." "$PGDATA/"
    # Postgres refuses to run as root: as root (the official images' default user), step down as
    # their own entrypoint does, with gosu (Debian) or su-exec (Alpine).
    as_postgres=
    if [ "$(id -u)" = 0 ]; then
      for tool in gosu su-exec; do command -v "$tool" >/dev/null && as_postgres="$tool postgres" && break; done
      [ -n "$as_postgres" ] || { echo "berth-postgres-start: running as root without gosu or su-exec" >&2; exit 1; }
    fi
    # Single-user mode reads SQL on stdin (printf is a shell builtin: the password is on no
    # command line) and the server does not listen yet, so no client sees the empty password.
    quoted=$(printf '%s' "$POSTGRES_PASSWORD" | sed "s/'/''/g")
    out=$(printf 'ALTER ROLE "%s" PASSWORD '"'"'%s'"'"';\\n' "$user" "$quoted" | $as_postgres postgres --single -D "$PGDATA" -c fsync=off postgres 2>&1 >/dev/null) || {
      printf '%s\\n' "$out" >&2
      exit 1
    }
    case "$out" in *ERROR*) printf 'berth-postgres-start: setting the password failed:\\n%s\\n' "$out" >&2; exit 1 ;; esac
  else
    echo "berth-postgres-start: this image's data directory was made for user $BERTH_PG_TEMPLATE_USER and database $BERTH_PG_TEMPLATE_DB; initialising for $user and $db instead" >&2
  fi
fi
exec "$BERTH_PG_ENTRYPOINT" "$@"
`;

export interface BaseImage {
  ref: string;
  /** The image's default user ("" is root), restored after the build steps. */
  user: string;
  /** uid:gid of the image's postgres user (999 in the Debian images, 70 in the Alpine ones). */
  owner: string;
  pgdata: string;
  /** The image's entrypoint: one command the start script hands over to. */
  entrypoint: string;
  cmd: string[];
}

/** What the derived image is built from and for (its tag is a hash of this). */
export interface TemplateRequest {
  base: string;
  user: string;
  database: string;
  /** Passed to initdb, as the official image's POSTGRES_INITDB_ARGS. @default "" */
  initdbArgs?: string;
}

const docker = (args: string[], input?: string) => execFileSync("docker", args, { encoding: "utf8", input, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"], maxBuffer: 64 << 20 });

/** Reads the layout off the base image: its postgres user, PGDATA and entrypoint. */
export function inspectBase(ref: string): BaseImage {
  const config = JSON.parse(docker(["image", "inspect", "--format", "{{json .Config}}", ref])) as { User?: string; Env?: string[]; Entrypoint?: string[] | null; Cmd?: string[] | null };
  const env = Object.fromEntries((config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
  const entrypoint = config.Entrypoint ?? [];
  if (entrypoint.length !== 1) throw new Error(`${ref}: expected an entrypoint of one command (the official images' docker-entrypoint.sh), got ${JSON.stringify(entrypoint)}`);
  if (!env.PGDATA) throw new Error(`${ref}: no PGDATA in the image's environment`);
  // The postgres user's ids, as the image's own tools report them (70 on Alpine, 999 on Debian).
  const owner = docker(["run", "--rm", "--user", "0:0", "--entrypoint", "sh", ref, "-c", "echo $(id -u postgres):$(id -g postgres)"]).trim();
  if (!/^\d+:\d+$/.test(owner)) throw new Error(`${ref}: could not read the postgres user's uid:gid (got "${owner}")`);
  return { ref, user: config.User ?? "", owner, pgdata: env.PGDATA, entrypoint: entrypoint[0], cmd: config.Cmd ?? ["postgres"] };
}

/** A double-quoted SQL identifier inside a single-quoted shell word. */
const sqlIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const shellWord = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

export function dockerfile(base: BaseImage, req: TemplateRequest): string {
  const t = TEMPLATE_DIR;
  // The same steps as the official entrypoint's first start: initdb as the bootstrap user, scram
  // for TCP, the database created (here in single-user mode, without a temporary server).
  const createDb = req.database === "postgres" ? "true" : `echo ${shellWord(`CREATE DATABASE ${sqlIdentifier(req.database)};`)} | postgres --single -D ${t} postgres >/dev/null`;
  return [
    `FROM ${base.ref}`,
    "USER 0:0",
    `RUN mkdir -p ${t} && chown ${base.owner} ${t} && chmod 0700 ${t}`,
    `USER ${base.owner}`,
    `RUN set -eu; initdb -D ${t} -U ${shellWord(req.user)} --auth-local=trust --auth-host=scram-sha-256 --no-sync ${req.initdbArgs ?? ""} >/dev/null; ` +
      `echo "host all all all scram-sha-256" >> ${t}/pg_hba.conf; ${createDb}`,
    "COPY berth-postgres-start.sh /usr/local/bin/berth-postgres-start.sh",
    `USER ${base.user || "0:0"}`,
    `ENV BERTH_PG_TEMPLATE=${t} BERTH_PG_TEMPLATE_USER=${JSON.stringify(req.user)} BERTH_PG_TEMPLATE_DB=${JSON.stringify(req.database)} BERTH_PG_ENTRYPOINT=${JSON.stringify(base.entrypoint)}`,
    'ENTRYPOINT ["berth-postgres-start.sh"]',
    `CMD ${JSON.stringify(base.cmd)}`,
    "",
  ].join("\n");
}

export function templateTag(base: BaseImage, req: TemplateRequest): string {
  const baseId = docker(["image", "inspect", "--format", "{{.Id}}", base.ref]).trim();
  const hash = createHash("sha256").update(JSON.stringify({ recipe: 1, baseId, req, script: START_SCRIPT, dockerfile: dockerfile(base, req) })).digest("hex").slice(0, 16);
  return `berth-lab/postgres-template:${hash}`;
}

/** Builds the derived image unless the engine already has it; returns its tag and the build's seconds (0 when cached). */
export function ensureTemplateImage(req: TemplateRequest): { tag: string; seconds: number; base: BaseImage } {
  const base = inspectBase(req.base);
  const tag = templateTag(base, req);
  try {
    docker(["image", "inspect", tag]);
    return { tag, seconds: 0, base };
  } catch {
    // not built yet
  }
  const dir = mkdtempSync(join(tmpdir(), "berth-pg-template-"));
  const started = Date.now();
  try {
    writeFileSync(join(dir, "Dockerfile"), dockerfile(base, req));
    writeFileSync(join(dir, "berth-postgres-start.sh"), START_SCRIPT, { mode: 0o755 });
    // The engine's own builder (Debian's docker.io has no buildx); COPY keeps the script's mode.
    try {
      execFileSync("docker", ["build", "-q", "-t", tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      throw new Error(`building ${tag} from ${base.ref} failed:\n${(err as { stderr?: string }).stderr ?? String(err)}`);
    }
    return { tag, seconds: (Date.now() - started) / 1000, base };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
