// An offline Docker-in-Docker node image for the lab's swarm and remote engines (no registry is
// reachable on CI machines, so no docker:dind): a Debian bookworm minbase rootfs (debootstrap) with
// Debian's docker.io 20.10, imported with `docker import`. The tag is a hash of the inputs, so a
// second run only inspects the engine. Needs root (debootstrap) and a Debian mirror; about a
// minute and ~400 MB on a cold cache.
//
// Run it with dindHostConfig(): all capabilities the host can grant, /var/lib/docker on a volume
// (overlay2 cannot sit on the container's own overlay root) and a tmpfs on /run; the daemon's configuration goes in as JSON in the
// BERTH_DOCKERD_CONFIG environment variable (see dindContainerOptions), so nothing is written on
// the host.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { imageExists } from "./node-base-image";

const MIRROR = process.env.BERTH_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";

/** Environment variable that carries dockerd's daemon.json into the container. */
export const DOCKERD_CONFIG_ENV = "BERTH_DOCKERD_CONFIG";

/** The port dockerd listens on inside the container for TCP clients (published on 127.0.0.1 only). */
export const DIND_TCP_PORT = 2375;

/** The entrypoint (run under tini): prepares what a nested dockerd needs, then execs it. */
export const DIND_ENTRYPOINT = `#!/bin/sh
# berth lab DinD node: dockerd with the daemon.json given in $${DOCKERD_CONFIG_ENV}.
set -eu
# Not --privileged (see dindHostConfig): /sys and the cgroup hierarchies come read-only, and a
# nested dockerd writes both. Remount them read-write (bind remounts: the superblocks are shared).
if grep -q ' /sys sysfs ro' /proc/mounts; then mount -o remount,rw /sys; fi
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  # cgroup v2: a process may not sit in a cgroup that delegates controllers to children, so move
  # everything into /init first.
  mount -o remount,rw /sys/fs/cgroup 2>/dev/null || mount -o remount,bind,rw /sys/fs/cgroup
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 </sys/fs/cgroup/cgroup.procs >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control || true
else
  # cgroup v1 (these machines): one bind mount per hierarchy, each rooted at this container's cgroup.
  for dir in /sys/fs/cgroup/*/; do
    if mountpoint -q "$dir"; then mount -o remount,bind,rw "$dir"; fi
  done
fi
mkdir -p /etc/docker
config=\${${DOCKERD_CONFIG_ENV}:-}
[ -n "$config" ] || config='{}'
printf '%s\\n' "$config" >/etc/docker/daemon.json
exec dockerd --config-file /etc/docker/daemon.json "$@"
`;

/** Everything that decides the image's content. Bump `recipe` when the steps below change. */
export const DIND_IMAGE_INPUTS = {
  recipe: 1,
  suite: "bookworm",
  variant: "minbase",
  // docker.io brings containerd, runc, tini and iptables; procps and iproute2 are for debugging
  // a node with `docker exec`; ca-certificates for registries with TLS.
  packages: ["docker.io", "ca-certificates", "iptables", "procps", "iproute2"],
  entrypoint: DIND_ENTRYPOINT,
};

export function dindImageTag(): string {
  const hash = createHash("sha256").update(JSON.stringify(DIND_IMAGE_INPUTS)).digest("hex").slice(0, 16);
  return `berth-lab/dind:${hash}`;
}

/** Why the DinD image cannot be built here, or undefined when it can (or is cached). */
export function dindImageUnavailable(): string | undefined {
  if (imageExists(dindImageTag())) return undefined;
  if (process.getuid?.() !== 0) return "building the offline Docker-in-Docker image needs root (debootstrap)";
  try {
    execFileSync("debootstrap", ["--version"], { stdio: "ignore" });
  } catch {
    return "debootstrap is not installed (apt-get install debootstrap, or run .ci/services.sh)";
  }
  return undefined;
}

function sh(script: string, cwd: string): void {
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

export interface DindImageBuild {
  tag: string;
  built: boolean;
  seconds: number;
}

/** Returns the tag; builds and imports the image first when the engine does not have it. */
export function ensureDindImage(log: (line: string) => void = console.log): DindImageBuild {
  const tag = dindImageTag();
  if (imageExists(tag)) return { tag, built: false, seconds: 0 };
  const unavailable = dindImageUnavailable();
  if (unavailable) throw new Error(unavailable);
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), "berth-dind-image-"));
  const i = DIND_IMAGE_INPUTS;
  try {
    log(`dind image: debootstrap ${i.variant} ${i.suite} + ${i.packages.join(", ")} from ${MIRROR}`);
    sh(`debootstrap --variant=${i.variant} --include=${i.packages.join(",")} ${i.suite} rootfs ${MIRROR}`, work);
    writeFileSync(join(work, "rootfs/usr/local/bin/berth-dind"), i.entrypoint, { mode: 0o755 });
    writeFileSync(
      join(work, "import.sh"),
      [
        // No package caches, lists, docs or translations in the image.
        `rm -rf rootfs/var/cache/apt/archives/*.deb rootfs/var/lib/apt/lists/* rootfs/usr/share/doc/* rootfs/usr/share/man/* rootfs/usr/share/locale/*`,
        // The package's own state is not used: every node gets /var/lib/docker on a fresh volume.
        `rm -rf rootfs/var/lib/docker rootfs/etc/docker/daemon.json && mkdir -p rootfs/var/lib/docker`,
        // /dev, /proc and /sys are provided by the engine at run time. No VOLUME instruction: it
        // would leave an anonymous volume behind every container that does not mount one.
        `tar -C rootfs --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . | docker import \\`,
        `  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \\`,
        `  --change 'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/berth-dind"]' - '${tag}' >/dev/null`,
      ].join("\n"),
    );
    sh("bash import.sh", work);
    const seconds = (Date.now() - started) / 1000;
    log(`dind image: built ${tag} in ${seconds.toFixed(1)} s`);
    return { tag, built: true, seconds };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
