// One Docker-in-Docker engine as a container of the host engine: the building block of the lab's
// swarm (lab/swarm.ts) and remote engine (lab/remote-engine.ts). Each node gets its own volume for
// /var/lib/docker and its dockerd's TCP port published on 127.0.0.1 only, so the host reaches it as
// DOCKER_HOST=tcp://127.0.0.1:<port>, as berth's `berth:docker.host` would reach a remote engine.
//
// These machines cannot run `--privileged` containers: the host's capability bounding set lacks
// CAP_SYS_RESOURCE and runc fails with "unable to apply caps: operation not permitted". A node
// therefore gets every other capability, no seccomp/AppArmor profile and unmasked /proc paths;
// the image's entrypoint remounts /sys and the cgroup hierarchies read-write (dind-image.ts).
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import Docker from "dockerode";
import { demuxFrames } from "../gate/container-diagnostics";
import { DIND_TCP_PORT, DOCKERD_CONFIG_ENV } from "./images/dind-image";

/** What every lab object carries, so a teardown finds it (and only it) by label. */
export const LAB_LABEL = "berth.lab";
export const LAB_PREFIX_LABEL = "berth.lab.prefix";

/** berth-<kind>-<pid>-<random>: unique per process, so parallel runs never collide. */
export function uniquePrefix(kind: string): string {
  return `berth-${kind}-${process.pid}-${randomBytes(2).toString("hex")}`;
}

/** Fails unless `prefix` is usable in host names and no host-engine object carries it yet. */
export async function checkPrefixFree(host: Docker, prefix: string, teardownCall: string): Promise<void> {
  // It becomes host names (at most 63 characters with the longest suffix, "-worker-NN").
  if (!/^[a-z0-9][a-z0-9-]{0,49}$/.test(prefix))
    throw new Error(
      `lab prefix "${prefix}": use 1-50 lowercase letters, digits and dashes, starting with a letter or digit`,
    );
  const found = await listLabObjects(host, prefix);
  const names = [...found.containers, ...found.volumes, ...found.networks];
  if (names.length > 0)
    throw new Error(
      `lab objects with prefix ${prefix} already exist (${names.join(", ")}); call ${teardownCall}("${prefix}") or pick another prefix`,
    );
}

export interface DaemonOptions {
  /** Registries the nested engine reaches over plain HTTP (host:port). */
  insecureRegistries?: string[];
  /** @default - BERTH_LAB_STORAGE_DRIVER, else overlay2 (vfs works everywhere but copies every layer) */
  storageDriver?: string;
  /**
   * dockerd's own `no-new-privileges` (CIS 2.18): every container it starts gets it. Swarm's
   * service spec has no such field before API 1.44, so berth's swarm nodes must set it here.
   * @default false - the engine's default
   */
  noNewPrivileges?: boolean;
}

export function storageDriver(options: DaemonOptions = {}): string {
  return options.storageDriver ?? process.env.BERTH_LAB_STORAGE_DRIVER ?? "overlay2";
}

/** The nested dockerd's daemon.json: its socket plus TCP for the host, no TLS (loopback only). */
export function dockerdConfig(options: DaemonOptions = {}): Record<string, unknown> {
  return {
    hosts: ["unix:///var/run/docker.sock", `tcp://0.0.0.0:${DIND_TCP_PORT}`],
    // Explicit: without it, dockerd 20.10 sleeps 15 s at start to warn about TCP without TLS.
    tls: false,
    "storage-driver": storageDriver(options),
    "insecure-registries": options.insecureRegistries ?? [],
    ...(options.noNewPrivileges ? { "no-new-privileges": true } : {}),
  };
}

/** Capabilities the host can grant (all but CAP_SYS_RESOURCE, which its bounding set lacks). */
const NODE_CAP_DROP = ["SYS_RESOURCE"];

/**
 * `count` TCP ports free on 127.0.0.1 right now (held open together, so they differ). A node
 * forwards each one to the same port inside it: a container the node's engine publishes there on
 * 0.0.0.0 is then reached from the host at 127.0.0.1:<port>, the address berth's gates probe.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export function dindHostConfig(volume: string, network: string, forwardPorts: number[] = []): Docker.HostConfig {
  const forwarded = Object.fromEntries(
    forwardPorts.map((port) => [`${port}/tcp`, [{ HostIp: "127.0.0.1", HostPort: String(port) }]]),
  );
  return {
    CapAdd: ["ALL"],
    CapDrop: NODE_CAP_DROP,
    SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
    // The API form of `--security-opt systempaths=unconfined`: dockerd writes /proc/sys.
    MaskedPaths: [],
    ReadonlyPaths: [],
    // overlay2 cannot sit on the container's own overlay root; a volume is a plain directory.
    Mounts: [{ Type: "volume", Source: volume, Target: "/var/lib/docker" }],
    // Fresh pid files and sockets after a restart of the node (stopNode/startNode).
    Tmpfs: { "/run": "rw,mode=755" },
    PortBindings: { [`${DIND_TCP_PORT}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: "" }], ...forwarded },
    NetworkMode: network,
    RestartPolicy: { Name: "no" },
  };
}

export interface DindNodeSpec {
  /** Container, volume (`<name>-data`) and host name. */
  name: string;
  image: string;
  /** A user-defined bridge network of the host engine (its gateway is how the node reaches the host). */
  network: string;
  labels: Record<string, string>;
  daemon?: DaemonOptions;
  /** Host ports forwarded 127.0.0.1:<port> → <port> inside the node (see freePorts). */
  forwardPorts?: number[];
}

export interface DindNode {
  name: string;
  containerId: string;
  volume: string;
  /** tcp://127.0.0.1:<port> */
  engineHost: string;
  /** The node's address on the lab network. */
  address: string;
}

/** Creates the node's volume and container and starts it; the engine inside may not answer yet. */
export async function createDindNode(host: Docker, spec: DindNodeSpec): Promise<DindNode> {
  const volume = `${spec.name}-data`;
  await host.createVolume({ Name: volume, Labels: spec.labels });
  const container = await host.createContainer({
    name: spec.name,
    Hostname: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    Env: [`${DOCKERD_CONFIG_ENV}=${JSON.stringify(dockerdConfig(spec.daemon))}`],
    ExposedPorts: Object.fromEntries([DIND_TCP_PORT, ...(spec.forwardPorts ?? [])].map((port) => [`${port}/tcp`, {}])),
    HostConfig: dindHostConfig(volume, spec.network, spec.forwardPorts),
  });
  await container.start();
  return {
    name: spec.name,
    containerId: container.id,
    volume,
    ...(await nodeEndpoints(host, spec.name, spec.network)),
  };
}

/** The published TCP port and the address on `network` (both change when a node restarts). */
export async function nodeEndpoints(
  host: Docker,
  name: string,
  network: string,
): Promise<{ engineHost: string; address: string }> {
  const info = await host.getContainer(name).inspect();
  const port = info.NetworkSettings.Ports?.[`${DIND_TCP_PORT}/tcp`]?.[0]?.HostPort;
  const address = info.NetworkSettings.Networks?.[network]?.IPAddress;
  if (!port || !address)
    throw new Error(
      `DinD node ${name} has no published engine port or no address on ${network} (state ${info.State.Status})`,
    );
  return { engineHost: `tcp://127.0.0.1:${port}`, address };
}

/** A dockerode client for tcp://host:port (the form every lab engine host has). */
export function engineClient(engineHost: string): Docker {
  const url = new URL(engineHost);
  if (url.protocol !== "tcp:") throw new Error(`${engineHost}: expected tcp://127.0.0.1:<port>`);
  return new Docker({ host: url.hostname, port: Number(url.port), protocol: "http" });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Promise.all that waits for every promise before it rejects with the first failure: a teardown
 * after a failed start must not race a node that is still being created.
 */
export async function allSettledOrThrow<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Last lines of a container's log for an error message, without dockerd's info/debug chatter. */
export async function logTail(host: Docker, name: string, lines = 12): Promise<string> {
  try {
    const buf = (await host.getContainer(name).logs({ stdout: true, stderr: true, tail: 300 })) as unknown as Buffer;
    const text = demuxFrames(buf)
      .split("\n")
      .filter((line) => line.trim() !== "" && !/level=(info|debug)/.test(line));
    return text.slice(-lines).join("\n");
  } catch (error) {
    return `(no logs: ${(error as Error).message})`;
  }
}

/** Waits until the node's engine answers; fails with the node's dockerd log when it does not. */
export async function waitForEngine(
  host: Docker,
  node: Pick<DindNode, "name" | "engineHost">,
  timeoutMs = 60_000,
): Promise<Docker> {
  const client = engineClient(node.engineHost);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.ping();
      return client;
    } catch {
      const state = await host
        .getContainer(node.name)
        .inspect()
        .then(
          (i) => i.State,
          () => undefined,
        );
      if (!state?.Running || Date.now() > deadline) {
        const why = state?.Running
          ? `did not answer within ${timeoutMs / 1000} s`
          : `exited (code ${state?.ExitCode ?? "unknown"})`;
        throw new Error(
          `the engine in DinD node ${node.name} ${why}; if its log shows an overlay2 error, set BERTH_LAB_STORAGE_DRIVER=vfs. Last log lines:\n${await logTail(host, node.name)}`,
        );
      }
      await sleep(100);
    }
  }
}

export interface LabObjects {
  containers: string[];
  volumes: string[];
  networks: string[];
}

/** Every host-engine object with this lab prefix label (containers in any state). */
export async function listLabObjects(host: Docker, prefix: string): Promise<LabObjects> {
  const filter = { label: [`${LAB_PREFIX_LABEL}=${prefix}`] };
  const [containers, volumes, networks] = await Promise.all([
    host.listContainers({ all: true, filters: filter }),
    host.listVolumes({ filters: filter }),
    host.listNetworks({ filters: filter }),
  ]);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, "")).sort(),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
    networks: networks.map((n) => n.Name).sort(),
  };
}

/**
 * Removes every host-engine object with this prefix label: containers (killed: the nested engine
 * and its containers die with them), then their volumes, then networks. Returns what it removed;
 * throws after trying everything if anything could not be removed.
 */
export async function removeLabObjects(host: Docker, prefix: string): Promise<LabObjects> {
  const found = await listLabObjects(host, prefix);
  const errors: string[] = [];
  const attempt = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) errors.push(`${what}: ${(error as Error).message}`);
    }
  };
  await Promise.all(
    found.containers.map((name) =>
      attempt(`container ${name}`, () => host.getContainer(name).remove({ force: true, v: true })),
    ),
  );
  await Promise.all(found.volumes.map((name) => attempt(`volume ${name}`, () => host.getVolume(name).remove())));
  await Promise.all(found.networks.map((name) => attempt(`network ${name}`, () => host.getNetwork(name).remove())));
  if (errors.length > 0) throw new Error(`lab teardown of ${prefix} left objects behind:\n${errors.join("\n")}`);
  return found;
}

/** A user-defined bridge for the lab's nodes; returns its gateway (the host, as nodes see it). */
export async function createLabNetwork(host: Docker, name: string, labels: Record<string, string>): Promise<string> {
  await host.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true });
  const info = await host.getNetwork(name).inspect();
  const gateway = (info as { IPAM?: { Config?: Array<{ Gateway?: string }> } }).IPAM?.Config?.[0]?.Gateway;
  if (!gateway) throw new Error(`network ${name} has no IPv4 gateway; the nodes could not reach the lab registry`);
  return gateway;
}
