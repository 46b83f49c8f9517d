// A real multi-node Docker Swarm on this machine, for the swarm e2e and bench (issue 15): a manager
// and N worker nodes (default 2), each a Docker-in-Docker container of the host engine (dind-node.ts)
// on a bridge network of its own, joined with the swarm's join token. Every node's engine is
// published on 127.0.0.1, so DOCKER_HOST=tcp://127.0.0.1:<port> of the manager works for dockerode,
// the docker CLI and berth's `berth:docker.host`. Images reach the nodes only through the lab
// registry (registry.ts): push with pushToSwarm() and use the reference it returns.
//
// Everything on the host engine carries berth.lab.prefix=<prefix>; teardownSwarm() removes it all.
// These kernels have no IPVS: services run, but the routing mesh and VIP load balancing do not
// work — use `EndpointSpec: { Mode: "dnsrr" }` and reach containers by name on an overlay network.
import Docker from "dockerode";
import { demuxFrames } from "../gate/container-diagnostics";
import { ensureDindImage } from "./images/dind-image";
import {
  allSettledOrThrow,
  checkPrefixFree,
  createDindNode,
  createLabNetwork,
  engineClient,
  freePorts,
  LAB_LABEL,
  LAB_PREFIX_LABEL,
  listLabObjects,
  nodeEndpoints,
  removeLabObjects,
  uniquePrefix,
  waitForEngine,
  type LabObjects,
} from "./dind-node";
import { ensureRegistry, imageRefAt, probeRegistry, pushImage, registryAddressFor } from "./registry";

export type NodeRole = "manager" | "worker";

export interface SwarmNode {
  /** Container name, host name and the swarm node's Description.Hostname: `<prefix>-manager`, `<prefix>-worker-<n>`. */
  name: string;
  role: NodeRole;
  /** tcp://127.0.0.1:<port>: this node's own engine (changes when startNode restarts it). */
  engineHost: string;
  /** The swarm's node ID. */
  nodeId: string;
  /** The node's address on the lab network. */
  address: string;
  volume: string;
}

export interface LabSwarm {
  prefix: string;
  /** tcp://127.0.0.1:<port> of the manager's engine: what `berth:docker.host` points at. */
  managerHost: string;
  /**
   * Ports forwarded from 127.0.0.1:<port> on the host to the same port on the manager: a container
   * the manager publishes there on 0.0.0.0 is reached from the host at 127.0.0.1:<port> (where
   * berth's gates probe). Swarm's routing mesh is not available (no IPVS), so publish containers.
   */
  managerPorts: number[];
  nodes: SwarmNode[];
  /** The host-engine bridge network the nodes share. */
  network: string;
  registry: {
    port: number;
    /** Where the host engine pushes (127.0.0.1:<port>). */
    hostAddress: string;
    /** Where the nodes pull from (<network gateway>:<port>): the prefix of every image a service runs. */
    nodeAddress: string;
  };
  /** Seconds: the DinD image (0 when cached), the nodes' engines, the swarm init/join, the whole start. */
  timings: { image: number; engines: number; swarm: number; total: number; imageBuilt: boolean };
}

export interface StartSwarmOptions {
  /** Names every object; lowercase letters, digits and dashes. @default - berth-swarm-<pid>-<random> */
  prefix?: string;
  /** @default 2 */
  workers?: number;
  /** How often nodes report to the manager; a stopped node is marked down after a few periods. @default 2 */
  heartbeatSeconds?: number;
  /** @default - BERTH_LAB_STORAGE_DRIVER, else overlay2 */
  storageDriver?: string;
  /** How many ports to forward from the host to the manager (LabSwarm.managerPorts). @default 0 */
  managerPorts?: number;
  /** @default 90000 - for each node's engine to answer, and again for all nodes to be Ready */
  timeoutMs?: number;
  log?: (line: string) => void;
}

const SWARM_PORT = 2377;
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Labels of every host-engine object of this lab swarm. */
export function swarmLabels(prefix: string): Record<string, string> {
  return { [LAB_LABEL]: "swarm", [LAB_PREFIX_LABEL]: prefix };
}

export function nodeNames(prefix: string, workers: number): Array<{ name: string; role: NodeRole }> {
  return [
    { name: `${prefix}-manager`, role: "manager" as const },
    ...Array.from({ length: workers }, (_, i) => ({ name: `${prefix}-worker-${i + 1}`, role: "worker" as const })),
  ];
}

/**
 * Starts a manager and `workers` worker nodes in parallel, inits the swarm on the manager and joins
 * the workers; returns once every node is Ready and active. On any failure it removes everything it
 * created and throws.
 */
export async function startSwarm(options: StartSwarmOptions = {}): Promise<LabSwarm> {
  const started = Date.now();
  const prefix = options.prefix ?? uniquePrefix("swarm");
  const workers = options.workers ?? 2;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const log = options.log ?? (() => undefined);
  if (!Number.isInteger(workers) || workers < 0 || workers > 20)
    throw new Error(`workers: ${workers} is not a whole number from 0 to 20`);
  const host = new Docker();
  await checkPrefixFree(host, prefix, "teardownSwarm");

  const image = ensureDindImage(log);
  const imageSeconds = seconds(started);
  try {
    const registry = await ensureRegistry(log);
    const labels = swarmLabels(prefix);
    const gateway = await createLabNetwork(host, prefix, labels);
    const nodeAddress = registryAddressFor(registry, gateway);
    if ((await probeRegistry(nodeAddress)) !== "registry") {
      throw new Error(
        `the lab registry answers on ${registry.hostAddress} but not on ${nodeAddress}, where the nodes reach the host; it must listen on 0.0.0.0 (stop the process on port ${registry.port} or set BERTH_LAB_REGISTRY_PORT)`,
      );
    }

    const enginesStarted = Date.now();
    // no-new-privileges for every task: a 20.10 service spec cannot ask for it (README, Swarm).
    const daemon = { insecureRegistries: [nodeAddress], storageDriver: options.storageDriver, noNewPrivileges: true };
    const managerPorts = await freePorts(options.managerPorts ?? 0);
    const created = await allSettledOrThrow(
      nodeNames(prefix, workers).map(async ({ name, role }) => {
        const forwardPorts = role === "manager" ? managerPorts : [];
        const node = await createDindNode(host, {
          name,
          image: image.tag,
          network: prefix,
          labels: { ...labels, "berth.lab.role": role },
          daemon,
          forwardPorts,
        });
        return { ...node, role, client: await waitForEngine(host, node, timeoutMs) };
      }),
    );
    const engineSeconds = seconds(enginesStarted);
    log(`swarm ${prefix}: ${created.length} engines up in ${engineSeconds} s`);

    const swarmStarted = Date.now();
    const [manager, ...workerNodes] = created;
    await manager!.client.swarmInit({
      ListenAddr: `0.0.0.0:${SWARM_PORT}`,
      AdvertiseAddr: `${manager!.address}:${SWARM_PORT}`,
      Spec: {
        Dispatcher: { HeartbeatPeriod: (options.heartbeatSeconds ?? 2) * 1e9 },
        Orchestration: { TaskHistoryRetentionLimit: 5 },
      },
    });
    const joinToken = ((await manager!.client.swarmInspect()) as { JoinTokens: { Worker: string } }).JoinTokens.Worker;
    await allSettledOrThrow(
      workerNodes.map((w) =>
        w.client.swarmJoin({
          ListenAddr: `0.0.0.0:${SWARM_PORT}`,
          AdvertiseAddr: `${w.address}:${SWARM_PORT}`,
          RemoteAddrs: [`${manager!.address}:${SWARM_PORT}`],
          JoinToken: joinToken,
        }),
      ),
    );
    const partial: LabSwarm = {
      prefix,
      managerHost: manager!.engineHost,
      managerPorts,
      nodes: created.map((n) => ({
        name: n.name,
        role: n.role,
        engineHost: n.engineHost,
        nodeId: "",
        address: n.address,
        volume: n.volume,
      })),
      network: prefix,
      registry: { port: registry.port, hostAddress: registry.hostAddress, nodeAddress },
      timings: { image: imageSeconds, engines: engineSeconds, swarm: 0, total: 0, imageBuilt: image.built },
    };
    const ready = await waitForSwarmNodes(
      partial,
      (rows) => rows.length === created.length && rows.every((r) => r.state === "ready" && r.availability === "active"),
      timeoutMs,
      "every node Ready and active",
    );
    for (const node of partial.nodes) node.nodeId = ready.find((r) => r.name === node.name)!.id;
    partial.timings.swarm = seconds(swarmStarted);
    partial.timings.total = seconds(started);
    log(
      `swarm ${prefix}: ${created.length} nodes Ready in ${partial.timings.total} s (image ${imageSeconds} s, engines ${engineSeconds} s, swarm ${partial.timings.swarm} s)`,
    );
    return partial;
  } catch (error) {
    const cleanup = await removeLabObjects(host, prefix).then(
      () => "everything it created was removed",
      (e: Error) => `and its teardown failed too: ${e.message}`,
    );
    throw new Error(`starting lab swarm ${prefix} failed (${cleanup}): ${(error as Error).message}`, { cause: error });
  }
}

/** The manager's engine, through which every swarm object (services, tasks, nodes) is managed. */
export function managerClient(swarm: Pick<LabSwarm, "managerHost">): Docker {
  return engineClient(swarm.managerHost);
}

/** A dockerode client for every node's own engine (to look for containers a test left behind). */
export function nodeClients(swarm: LabSwarm): Array<{ node: SwarmNode; docker: Docker }> {
  return swarm.nodes.map((node) => ({ node, docker: engineClient(node.engineHost) }));
}

export function findNode(swarm: LabSwarm, name: string): SwarmNode {
  const node = swarm.nodes.find((n) => n.name === name);
  if (!node)
    throw new Error(
      `no node ${name} in lab swarm ${swarm.prefix} (nodes: ${swarm.nodes.map((n) => n.name).join(", ")})`,
    );
  return node;
}

export interface NodeRow {
  id: string;
  name: string;
  role: NodeRole;
  /** ready | down | unknown | disconnected */
  state: string;
  /** active | pause | drain */
  availability: string;
}

interface NodeInfo {
  ID: string;
  Description?: { Hostname?: string };
  Spec: { Role: NodeRole; Availability: string };
  Status: { State: string };
}

/** The swarm's nodes as the manager sees them, sorted by name. */
export async function swarmNodes(swarm: Pick<LabSwarm, "managerHost">): Promise<NodeRow[]> {
  const nodes = (await managerClient(swarm).listNodes()) as NodeInfo[];
  return nodes
    .map((n) => ({
      id: n.ID,
      name: n.Description?.Hostname ?? n.ID,
      role: n.Spec.Role,
      state: n.Status.State,
      availability: n.Spec.Availability,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function waitForSwarmNodes(
  swarm: Pick<LabSwarm, "managerHost" | "prefix">,
  done: (rows: NodeRow[]) => boolean,
  timeoutMs: number,
  what: string,
): Promise<NodeRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await swarmNodes(swarm);
    if (done(rows)) return rows;
    if (Date.now() > deadline) {
      throw new Error(
        `lab swarm ${swarm.prefix}: not ${what} within ${timeoutMs / 1000} s; nodes: ${rows.map((r) => `${r.name} ${r.role} ${r.state} ${r.availability}`).join("; ") || "none"}`,
      );
    }
    await sleep(250);
  }
}

/** Waits until the manager reports `name` in `state` (e.g. "down" after stopNode, "ready" after startNode). */
export async function waitForNodeState(
  swarm: LabSwarm,
  name: string,
  state: string,
  timeoutMs = 60_000,
): Promise<NodeRow> {
  findNode(swarm, name);
  const rows = await waitForSwarmNodes(
    swarm,
    (r) => r.find((n) => n.name === name)?.state === state,
    timeoutMs,
    `${name} ${state}`,
  );
  return rows.find((n) => n.name === name)!;
}

/** Sets a node's availability through the manager: `drain` moves its tasks to other nodes. */
export async function setNodeAvailability(
  swarm: LabSwarm,
  name: string,
  availability: "active" | "pause" | "drain",
): Promise<void> {
  const node = findNode(swarm, name);
  const handle = managerClient(swarm).getNode(node.nodeId);
  const info = (await handle.inspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
  await handle.update({ _query: { version: info.Version.Index }, _body: { ...info.Spec, Availability: availability } });
}

export const drainNode = (swarm: LabSwarm, name: string) => setNodeAvailability(swarm, name, "drain");

/**
 * Stops a node's container, as a machine failure would: killed at once by default, or a graceful
 * `docker stop` (its engine stops its containers first). The manager marks it down after a few
 * heartbeats; use waitForNodeState(swarm, name, "down").
 */
export async function stopNode(swarm: LabSwarm, name: string, options: { graceful?: boolean } = {}): Promise<void> {
  const node = findNode(swarm, name);
  if (node.role === "manager")
    throw new Error(`${name} is the manager: stopping it stops the swarm's control plane; stop a worker instead`);
  const container = new Docker().getContainer(name);
  if (options.graceful) await container.stop({ t: 10 });
  else await container.kill();
}

/** Starts a stopped worker again and waits until it is Ready; updates its engineHost and address. */
export async function startNode(swarm: LabSwarm, name: string, timeoutMs = 60_000): Promise<SwarmNode> {
  const node = findNode(swarm, name);
  const host = new Docker();
  await host.getContainer(name).start();
  Object.assign(node, await nodeEndpoints(host, name, swarm.network));
  await waitForEngine(host, node, timeoutMs);
  await waitForNodeState(swarm, name, "ready", timeoutMs);
  return node;
}

export interface TaskRow {
  id: string;
  slot: number | undefined;
  /** The node's name (its host name), or its ID when the node is not in the swarm any more. */
  node: string;
  /** new | pending | assigned | preparing | starting | running | complete | shutdown | failed | rejected | orphaned … */
  state: string;
  desiredState: string;
  error: string | undefined;
}

interface TaskInfo {
  ID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState: string;
  Status: { State: string; Err?: string };
}

/** A service's tasks with the node each runs on, read from the manager. */
export async function serviceTasks(swarm: LabSwarm, service: string): Promise<TaskRow[]> {
  const tasks = (await managerClient(swarm).listTasks({ filters: { service: [service] } })) as TaskInfo[];
  const byId = new Map(swarm.nodes.map((n) => [n.nodeId, n.name]));
  return tasks.map((t) => ({
    id: t.ID,
    slot: t.Slot,
    node: (t.NodeID && byId.get(t.NodeID)) ?? t.NodeID ?? "",
    state: t.Status.State,
    desiredState: t.DesiredState,
    error: t.Status.Err,
  }));
}

export interface TaskContainer {
  task: TaskRow;
  /** The node the task runs on, and a client of that node's own engine. */
  node: SwarmNode;
  docker: Docker;
  containerId: string;
}

/** The containers of a service's running tasks, each on its node's own engine (sorted by slot). */
export async function taskContainers(swarm: LabSwarm, service: string): Promise<TaskContainer[]> {
  const tasks = (await managerClient(swarm).listTasks({
    filters: { service: [service], "desired-state": ["running"] },
  })) as Array<TaskInfo & { Status: { ContainerStatus?: { ContainerID?: string } } }>;
  const rows = await serviceTasks(swarm, service);
  return tasks
    .filter((t) => t.Status.State === "running" && t.Status.ContainerStatus?.ContainerID)
    .sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0))
    .map((t) => {
      const node = swarm.nodes.find((n) => n.nodeId === t.NodeID);
      if (!node)
        throw new Error(
          `task ${t.ID} of ${service} runs on node ${t.NodeID}, which is not in lab swarm ${swarm.prefix}`,
        );
      return {
        task: rows.find((r) => r.id === t.ID)!,
        node,
        docker: engineClient(node.engineHost),
        containerId: t.Status.ContainerStatus!.ContainerID!,
      };
    });
}

/** What a command prints inside a running container (stdout and stderr), e.g. `cat /proc/1/status`. */
export async function execIn(docker: Docker, containerId: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  await new Promise((resolve, reject) => stream.on("end", resolve).on("error", reject));
  return demuxFrames(Buffer.concat(chunks));
}

/** Pushes a host-engine image into the lab registry; returns the reference the nodes pull. */
export async function pushToSwarm(swarm: LabSwarm, localImage: string): Promise<string> {
  const registry = await ensureRegistry();
  if (registry.port !== swarm.registry.port)
    throw new Error(
      `the lab registry moved from port ${swarm.registry.port} to ${registry.port} since the swarm started`,
    );
  return imageRefAt(await pushImage(registry, localImage), swarm.registry.nodeAddress);
}

export interface NodeLeftovers {
  node: string;
  containers: string[];
  /** Networks other than the engine's and the swarm's own (bridge, host, none, ingress, docker_gwbridge). */
  networks: string[];
  volumes: string[];
  /** Swarm objects, read from the manager only. */
  services: string[];
  secrets: string[];
  configs: string[];
}

const BUILTIN_NETWORKS = new Set(["bridge", "host", "none", "ingress", "docker_gwbridge"]);

/** What a test left on the swarm: for every node, its containers, networks and volumes; services, secrets and configs. */
export async function swarmLeftovers(swarm: LabSwarm): Promise<NodeLeftovers[]> {
  return Promise.all(
    nodeClients(swarm).map(async ({ node, docker }) => {
      const manager = node.role === "manager";
      const names = <T>(list: T[], name: (item: T) => string) => list.map(name).sort();
      const [containers, networks, volumes, services, secrets, configs] = await Promise.all([
        docker.listContainers({ all: true }),
        docker.listNetworks(),
        docker.listVolumes(),
        manager ? docker.listServices() : Promise.resolve([]),
        manager ? docker.listSecrets() : Promise.resolve([]),
        manager ? docker.listConfigs() : Promise.resolve([]),
      ]);
      return {
        node: node.name,
        containers: names(containers, (c) => (c.Names[0] ?? c.Id).replace(/^\//, "")),
        networks: names(
          networks.filter((n) => !BUILTIN_NETWORKS.has(n.Name)),
          (n) => n.Name,
        ),
        volumes: names(volumes.Volumes ?? [], (v) => v.Name),
        services: names(services as Array<{ Spec?: { Name?: string }; ID: string }>, (s) => s.Spec?.Name ?? s.ID),
        secrets: names(secrets as Array<{ Spec?: { Name?: string }; ID: string }>, (s) => s.Spec?.Name ?? s.ID),
        configs: names(configs as Array<{ Spec?: { Name?: string }; ID: string }>, (s) => s.Spec?.Name ?? s.ID),
      };
    }),
  );
}

/** Host-engine objects still carrying this swarm's prefix (empty after a teardown). */
export function hostLeftovers(prefix: string): Promise<LabObjects> {
  return listLabObjects(new Docker(), prefix);
}

/** Removes every node, volume and the network of this swarm from the host engine; returns what it removed. */
export async function teardownSwarm(
  swarm: Pick<LabSwarm, "prefix"> | string,
): Promise<LabObjects & { seconds: number }> {
  const started = Date.now();
  const removed = await removeLabObjects(new Docker(), typeof swarm === "string" ? swarm : swarm.prefix);
  return { ...removed, seconds: seconds(started) };
}
