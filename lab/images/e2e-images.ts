// Offline images for the e2e suite (no registry is reachable on CI machines):
// - the data image: PostgreSQL 15 and Redis from Debian bookworm packages (debootstrap minbase +
//   `docker import`), with postgres and redis at uid/gid 999 and an entrypoint that follows the
//   official postgres image's contract far enough for berth (initdb on an empty $PGDATA);
// - the workload image, built by tests/support/workload-image.ts on the offline Node base;
// - a "never healthy" app image (busybox) for the gate-timeout case.
// Each tag is a hash of what decides its content, so a second run only inspects the engine.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ensureNodeBaseImage, imageExists } from "./node-base-image";
import { buildWorkloadImage, SERVICES_DIR } from "./workload-image";

const MIRROR = process.env.BERTH_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
const PG_BIN = "/usr/lib/postgresql/15/bin";

/** The entrypoint: the official postgres image's init contract, and redis without protected mode. */
export const DATA_ENTRYPOINT = `#!/bin/sh
# berth e2e data image: the official postgres image's contract, far enough for berth.
set -eu
if [ "\${1:-}" = postgres ] && [ ! -s "\${PGDATA:?}/PG_VERSION" ]; then
  : "\${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
  user=\${POSTGRES_USER:-postgres}
  db=\${POSTGRES_DB:-$user}
  pwfile=$(mktemp)
  printf '%s\\n' "$POSTGRES_PASSWORD" >"$pwfile"
  # As the current (non-root) user; trust on the socket, scram over TCP.
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \\
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # A socket-only server while creating the database, as the official image does.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w -s start
    echo 'CREATE DATABASE :"db";' | psql -q -v ON_ERROR_STOP=1 -v db="$db" -U "$user" -d postgres
    pg_ctl -D "$PGDATA" -m fast -w -s stop
  fi
  echo "entrypoint: initialised $PGDATA (user $user, database $db)"
fi
if [ "\${1:-}" = redis-server ]; then
  # Like the official redis image: no config file means no protected mode (other containers connect).
  case " $* " in *" --protected-mode "*) ;; *) set -- "$@" --protected-mode no ;; esac
fi
exec "$@"
`;

/** Everything that decides the data image's content. Bump `recipe` when the steps change. */
export const DATA_IMAGE_INPUTS = {
  recipe: 1,
  suite: "bookworm",
  variant: "minbase",
  packages: ["postgresql-15", "redis-server", "redis-tools"],
  uid: 999,
  entrypoint: DATA_ENTRYPOINT,
};

const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);

export function dataImageTag(): string {
  return `berth-e2e/data:${hash(DATA_IMAGE_INPUTS)}`;
}

export interface ImageBuild {
  tag: string;
  built: boolean;
  seconds: number;
}

function sh(script: string, cwd?: string): void {
  try {
    execFileSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${e.message}\n${`${e.stdout ?? ""}${e.stderr ?? ""}`.split("\n").slice(-30).join("\n")}`, {
      cause: error,
    });
  }
}

/** Why the data image cannot be built here, or undefined when it can (or is cached). */
export function dataImageUnavailable(): string | undefined {
  if (imageExists(dataImageTag())) return undefined;
  if (process.getuid?.() !== 0) return "building the offline Postgres/Redis image needs root (debootstrap)";
  try {
    execFileSync("debootstrap", ["--version"], { stdio: "ignore" });
  } catch {
    return "debootstrap is not installed (apt-get install debootstrap)";
  }
  return undefined;
}

/** Builds the Postgres/Redis image unless the engine already has this content's tag. */
export function ensureDataImage(log: (line: string) => void = console.log): ImageBuild {
  const tag = dataImageTag();
  if (imageExists(tag)) return { tag, built: false, seconds: 0 };
  const unavailable = dataImageUnavailable();
  if (unavailable) throw new Error(unavailable);
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), "berth-data-image-"));
  const i = DATA_IMAGE_INPUTS;
  try {
    log(`data image: debootstrap ${i.variant} ${i.suite} + ${i.packages.join(", ")} from ${MIRROR}`);
    sh(`debootstrap --variant=${i.variant} --include=${i.packages.join(",")} ${i.suite} rootfs ${MIRROR}`, work);
    writeFileSync(join(work, "rootfs/usr/local/bin/docker-entrypoint.sh"), i.entrypoint, { mode: 0o755 });
    // Fixed ids, as in the official images, so stacks can run them as a numeric "999:999". Both
    // share 999 here (one image); files owned by the old ids follow.
    sh(
      [
        `old=$(chroot rootfs id -u postgres):$(chroot rootfs id -g postgres):$(chroot rootfs id -u redis):$(chroot rootfs id -g redis)`,
        `IFS=: read -r pu pg ru rg <<<"$old"`,
        `chroot rootfs groupmod -g ${i.uid} postgres && chroot rootfs usermod -u ${i.uid} -g ${i.uid} postgres`,
        `chroot rootfs groupmod -o -g ${i.uid} redis && chroot rootfs usermod -o -u ${i.uid} -g ${i.uid} redis`,
        `for id in "$pu" "$ru"; do find rootfs -xdev -uid "$id" -exec chown -h ${i.uid} {} +; done`,
        `for id in "$pg" "$rg"; do find rootfs -xdev -gid "$id" -exec chgrp -h ${i.uid} {} +; done`,
        // The package's own cluster is not used: data lives in $PGDATA (a tmpfs in berth).
        `rm -rf rootfs/var/lib/postgresql/15 rootfs/etc/postgresql/15`,
        // Inside the chroot: rootfs/var/run is an absolute symlink to /run, which from outside
        // would be the host's own /run/postgresql (and break the host's PostgreSQL).
        `chroot rootfs sh -c 'mkdir -p /var/lib/postgresql/data /run/postgresql /data && chown ${i.uid}:${i.uid} /var/lib/postgresql/data /run/postgresql /data'`,
        // No package caches, lists, docs or translations in the image.
        `rm -rf rootfs/var/cache/apt/archives/*.deb rootfs/var/lib/apt/lists/* rootfs/usr/share/doc/* rootfs/usr/share/man/* rootfs/usr/share/locale/*`,
        `tar -C rootfs --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . | docker import \\`,
        `  --change 'ENV PATH=${PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \\`,
        `  --change 'ENV LANG=C.UTF-8' --change 'ENV PGDATA=/var/lib/postgresql/data' \\`,
        `  --change 'USER ${i.uid}:${i.uid}' \\`,
        `  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' --change 'CMD ["postgres"]' - '${tag}' >/dev/null`,
      ].join("\n"),
      work,
    );
    const seconds = (Date.now() - started) / 1000;
    log(`data image: built ${tag} in ${seconds.toFixed(1)} s`);
    return { tag, built: true, seconds };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The workload image (services/) on the offline Node base, tagged by a hash of both. */
export function ensureWorkloadImage(log: (line: string) => void = console.log): ImageBuild {
  const base = ensureNodeBaseImage(log);
  const tag = `berth-e2e/workload:${hash({ base: base.tag, services: treeHash(SERVICES_DIR) })}`;
  if (imageExists(tag)) return { tag, built: base.built, seconds: base.seconds };
  const build = buildWorkloadImage({ baseImage: base.tag, tag });
  log(`workload image: built ${tag} in ${build.seconds.toFixed(1)} s (${build.client})`);
  return { tag, built: true, seconds: base.seconds + build.seconds };
}

/** An app image that runs forever and never passes its healthcheck: the gate must time out. */
export const NEVER_HEALTHY_NODE = `#!/bin/sh
# Stands in for node: the healthcheck script fails, anything else logs and waits.
case "$1" in */healthcheck.js) echo "never healthy" >&2; exit 1 ;; esac
echo "never-healthy app: started $*, will never answer on its port"
trap 'exit 0' TERM
sleep 3600 &
wait
`;

export function ensureNeverHealthyImage(): string {
  const tag = `berth-e2e/never-healthy:${hash({ recipe: 1, node: NEVER_HEALTHY_NODE })}`;
  if (imageExists(tag)) return tag;
  const root = mkdtempSync(join(tmpdir(), "berth-never-healthy-"));
  try {
    for (const dir of ["bin", "tmp", "usr/local/bin"]) mkdirSync(join(root, dir), { recursive: true });
    copyFileSync("/bin/busybox", join(root, "bin/busybox"));
    for (const applet of ["sh", "sleep", "echo"]) symlinkSync("busybox", join(root, "bin", applet));
    writeFileSync(join(root, "usr/local/bin/node"), NEVER_HEALTHY_NODE);
    chmodSync(join(root, "usr/local/bin/node"), 0o755);
    sh(
      `tar -C '${root}' -c . | docker import --change 'ENV PATH=/usr/local/bin:/bin' --change 'USER 1000:1000' - '${tag}' >/dev/null`,
    );
    return tag;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A hash of the files under `dir` (names and contents), skipping build output and dependencies. */
export function treeHash(dir: string, skip: string[] = ["node_modules", "dist", "bundle"]): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (skip.includes(name)) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else
        h.update(`${relative(dir, p)}\0`)
          .update(readFileSync(p))
          .update("\0");
    }
  };
  walk(dir);
  return h.digest("hex").slice(0, 16);
}
