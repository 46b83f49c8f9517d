// Builds the workload image from services/Dockerfile with BuildKit, the way a user's machine
// behind a TLS-intercepting proxy has to: the host's CA bundle and npm registry go in as build
// secrets (`--secret id=npm_ca`, `--secret id=npmrc`), never as build args or files in the context.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const SERVICES_DIR = resolve(__dirname, "../../services");

/** Comment lines added to the two secrets, so a test can prove that neither left a trace. */
export const NPMRC_CANARY = "; berth-npmrc-secret-canary";
export const CA_CANARY = "# berth-ca-secret-canary";

export interface BuildKitClient {
  /** The docker binary and the arguments before the build options. */
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  description: string;
}

function clientVersion(command: string): string | undefined {
  const r = spawnSync(command, ["version", "--format", "{{.Client.Version}}"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * A docker CLI that can run a BuildKit build with secrets: `docker buildx build --load` when the
 * buildx plugin is there; else a pre-23 client (Debian's docker.io 20.10 is /usr/bin/docker) whose
 * built-in BuildKit session DOCKER_BUILDKIT=1 turns on. A 23+ client without buildx refuses
 * DOCKER_BUILDKIT=1 and its legacy builder cannot mount secrets, so it is never used here.
 */
export function findBuildKitClient(): BuildKitClient | undefined {
  if (spawnSync("docker", ["buildx", "version"], { stdio: "ignore" }).status === 0) {
    return { command: "docker", args: ["buildx", "build", "--load"], env: process.env, description: "docker buildx" };
  }
  for (const command of ["/usr/bin/docker", "docker"]) {
    if (command.startsWith("/") && !existsSync(command)) continue;
    const version = clientVersion(command);
    const major = Number(version?.split(".")[0]);
    if (version && major < 23) {
      return {
        command,
        args: ["build"],
        env: { ...process.env, DOCKER_BUILDKIT: "1" },
        description: `${command} ${version} (built-in BuildKit)`,
      };
    }
  }
  return undefined;
}

/** The CA bundle this host trusts, passed to the build as the npm_ca secret. */
export function hostCaBundle(): string | undefined {
  for (const candidate of [process.env.NODE_EXTRA_CA_CERTS, "/etc/ssl/certs/ca-certificates.crt"]) {
    if (candidate && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface WorkloadBuild {
  tag: string;
  seconds: number;
  client: string;
  output: string;
}

/** `noCache` rebuilds every step (the npm cache mount still serves the tarballs). */
export function buildWorkloadImage(opts: { baseImage: string; tag: string; noCache?: boolean }): WorkloadBuild {
  const client = findBuildKitClient();
  if (!client)
    throw new Error("no docker CLI with BuildKit here: install the buildx plugin or Debian's docker.io (client 20.10)");
  const work = mkdtempSync(join(tmpdir(), "berth-workload-build-"));
  try {
    // Only the registry from the host's npm config, not the whole ~/.npmrc (it may hold tokens
    // for other hosts and settings that make no sense inside the build).
    const registry = execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim();
    const npmrc = join(work, "npmrc");
    writeFileSync(npmrc, `${NPMRC_CANARY}\nregistry=${registry}\n`, { mode: 0o600 });
    const secrets = ["--secret", `id=npmrc,src=${npmrc}`];
    const ca = hostCaBundle();
    if (ca) {
      // After the last certificate: PEM readers skip text outside BEGIN/END blocks.
      const bundle = join(work, "npm_ca.pem");
      writeFileSync(bundle, `${readFileSync(ca, "utf8").trimEnd()}\n${CA_CANARY}\n`, { mode: 0o600 });
      secrets.push("--secret", `id=npm_ca,src=${bundle}`);
    }
    const args = [
      ...client.args,
      "--progress=plain",
      ...(opts.noCache ? ["--no-cache"] : []),
      "--build-arg",
      `BASE_IMAGE=${opts.baseImage}`,
      ...secrets,
      "--tag",
      opts.tag,
      "--file",
      join(SERVICES_DIR, "Dockerfile"),
      SERVICES_DIR,
    ];
    const started = Date.now();
    const r = spawnSync(client.command, args, { env: client.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    if (r.status !== 0) {
      throw new Error(
        `${client.command} ${args.join(" ")} exited ${r.status}:\n${output.split("\n").slice(-40).join("\n")}`,
      );
    }
    return { tag: opts.tag, seconds: (Date.now() - started) / 1000, client: client.description, output };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
