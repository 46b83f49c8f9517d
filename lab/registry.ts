// The lab's image registry: Debian's `docker-registry` (distribution 2.8) run as a plain process on
// this machine, one per machine, shared by every suite and the bench. Images reach swarm nodes and
// remote engines only through a registry (no registry outside this machine is reachable).
//
// It listens on 0.0.0.0:<port> (default 5055, BERTH_LAB_REGISTRY_PORT to change) without TLS:
// - the host engine pushes to 127.0.0.1:<port>, which Docker treats as insecure by default
//   (127.0.0.0/8), so the host's dockerd needs no reconfiguration;
// - Docker-in-Docker nodes pull from <their bridge's gateway>:<port>, listed in their daemon's
//   `insecure-registries` (see registryAddressFor).
// Nothing outside this machine can reach it: the machines have no inbound network. It is left
// running after a suite, like the engine .ci/services.sh starts; stopRegistry() ends it.
import { spawn, execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";

export const DEFAULT_REGISTRY_PORT = 5055;
const REGISTRY_BINARY = "docker-registry";
const API_HEADER = "docker-distribution-api-version";

export interface LabRegistry {
  port: number;
  /** Where the host engine pushes: 127.0.0.1:<port>. */
  hostAddress: string;
  /** State, data and log live here (BERTH_LAB_DIR, default /var/lib/berth-lab as root). */
  dir: string;
  /** True when this call started the process; false when one already answered. */
  started: boolean;
}

export function registryPort(): number {
  const raw = process.env.BERTH_LAB_REGISTRY_PORT;
  if (raw === undefined || raw === "") return DEFAULT_REGISTRY_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`BERTH_LAB_REGISTRY_PORT=${raw} is not a port number (1-65535)`);
  return port;
}

export function labDir(): string {
  return process.env.BERTH_LAB_DIR ?? (process.getuid?.() === 0 ? "/var/lib/berth-lab" : join(tmpdir(), "berth-lab"));
}

/** The registry's address as seen from a node whose bridge gateway (the host) is `gatewayIp`. */
export function registryAddressFor(registry: Pick<LabRegistry, "port">, gatewayIp: string): string {
  return `${gatewayIp}:${registry.port}`;
}

/** distribution's configuration (JSON is YAML): filesystem storage, deletes on, plain HTTP. */
export function registryConfig(port: number, dataDir: string): object {
  return {
    version: 0.1,
    log: { level: "warn", fields: { service: "berth-lab-registry" } },
    storage: {
      filesystem: { rootdirectory: dataDir },
      delete: { enabled: true },
      cache: { blobdescriptor: "inmemory" },
    },
    http: { addr: `0.0.0.0:${port}`, headers: { "X-Content-Type-Options": ["nosniff"] } },
  };
}

type Probe = "registry" | "other" | "closed";

/** What answers on the address: a registry (by its API header), something else, or nothing. */
export async function probeRegistry(address: string, timeoutMs = 2000): Promise<Probe> {
  try {
    const response = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.headers.get(API_HEADER) === "registry/2.0" ? "registry" : "other";
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === "ECONNREFUSED") return "closed";
    if (code === undefined) return "other"; // a timeout: something holds the port but does not answer HTTP
    throw new Error(`cannot probe the lab registry at ${address}: ${code}`, { cause: error });
  }
}

/** Why the registry cannot start here, or undefined when it can. */
export function registryUnavailable(): string | undefined {
  try {
    execFileSync("which", [REGISTRY_BINARY], { stdio: "ignore" });
    return undefined;
  } catch {
    return `${REGISTRY_BINARY} is not installed (apt-get install docker-registry, or run .ci/services.sh)`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the lab registry unless one already answers on its port; idempotent and safe to race. */
export async function ensureRegistry(log: (line: string) => void = () => undefined): Promise<LabRegistry> {
  const port = registryPort();
  const hostAddress = `127.0.0.1:${port}`;
  const dir = join(labDir(), "registry");
  const found = await probeRegistry(hostAddress);
  if (found === "registry") return { port, hostAddress, dir, started: false };
  if (found === "other")
    throw new Error(
      `port ${port} is taken by something that is not an image registry; set BERTH_LAB_REGISTRY_PORT to a free port`,
    );
  const unavailable = registryUnavailable();
  if (unavailable) throw new Error(unavailable);

  mkdirSync(join(dir, "data"), { recursive: true });
  const configFile = join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify(registryConfig(port, join(dir, "data")), null, 2));
  const logFile = join(dir, "registry.log");
  const out = openSync(logFile, "a");
  // Detached, in its own process group: it outlives this process, like the engine does.
  const child = spawn(REGISTRY_BINARY, ["serve", configFile], { detached: true, stdio: ["ignore", out, out] });
  closeSync(out);
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  child.unref();
  log(`registry: starting ${REGISTRY_BINARY} on ${hostAddress} (log ${logFile})`);
  for (let i = 0; i < 100; i += 1) {
    if ((await probeRegistry(hostAddress)) === "registry") {
      // Another process may have won a race for the port; only a child still running is ours.
      if (exited === undefined && child.pid !== undefined) writeFileSync(join(dir, "registry.pid"), `${child.pid}\n`);
      return { port, hostAddress, dir, started: exited === undefined };
    }
    if (exited !== undefined && i > 10) break;
    await sleep(100);
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
  throw new Error(
    `the lab registry did not answer on ${hostAddress} within 10 s (exit code ${exited ?? "none"}); log ${logFile}:\n${tail}`,
  );
}

/** Stops the registry this machine's lab started (by the pid it recorded); its data stays. */
export function stopRegistry(): boolean {
  const pidFile = join(labDir(), "registry", "registry.pid");
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  rmSync(pidFile, { force: true });
  try {
    // Only a docker-registry process: a recycled pid must never be signalled.
    if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(REGISTRY_BINARY)) return false;
    process.kill(pid, "SIGTERM");
    return true;
  } catch {
    return false;
  }
}

export interface ImageReference {
  repository: string;
  tag: string;
}

/** Splits `[host[:port]/]name[:tag]` into a repository without its registry host and a tag. */
export function splitReference(image: string): ImageReference {
  if (image.includes("@")) throw new Error(`${image}: push a tagged image, not a digest reference`);
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  const [name, tag] = colon > slash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, "latest"];
  const parts = name.split("/");
  // A first component with a dot, a colon or "localhost" is a registry host (Docker's own rule).
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === "localhost")) parts.shift();
  return { repository: parts.join("/"), tag };
}

export interface PushedImage extends ImageReference {
  /** The reference the host engine pushed: 127.0.0.1:<port>/<repository>:<tag>. */
  hostRef: string;
  /** sha256:… of the manifest, as the registry stores it. */
  digest: string;
}

/** The pushed image's reference for nodes that reach the registry at `registryAddress`. */
export function imageRefAt(pushed: ImageReference, registryAddress: string): string {
  return `${registryAddress}/${pushed.repository}:${pushed.tag}`;
}

interface PushEvent {
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string };
}

/**
 * Pushes an image from the host engine: tags it 127.0.0.1:<port>/<repository>:<tag>, pushes, and
 * removes that extra tag again (the image keeps its own), so the host engine is left as it was.
 */
export async function pushImage(
  registry: LabRegistry,
  localImage: string,
  docker = new Docker(),
): Promise<PushedImage> {
  const { repository, tag } = splitReference(localImage);
  const repo = `${registry.hostAddress}/${repository}`;
  const hostRef = `${repo}:${tag}`;
  await docker.getImage(localImage).tag({ repo, tag });
  try {
    // An empty auth header: the 20.10 engine rejects a push without X-Registry-Auth.
    const stream = await docker.getImage(hostRef).push({ authconfig: {} });
    const events = await new Promise<PushEvent[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null, out: PushEvent[]) => (err ? reject(err) : resolve(out))),
    );
    const failed = events.find((e) => e.error ?? e.errorDetail);
    if (failed)
      throw new Error(
        `pushing ${localImage} to the lab registry at ${registry.hostAddress} failed: ${failed.error ?? failed.errorDetail?.message}`,
      );
    const digest = events.map((e) => e.aux?.Digest).find((d): d is string => d !== undefined);
    if (!digest) throw new Error(`pushing ${localImage} to ${registry.hostAddress}: the engine reported no digest`);
    return { repository, tag, hostRef, digest };
  } finally {
    if (hostRef !== localImage)
      await docker
        .getImage(hostRef)
        .remove({ noprune: true })
        .catch(() => undefined);
  }
}
