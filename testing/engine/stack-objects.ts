// Docker objects carrying a stack's labels. Test code checks two things with them, and neither may
// pass on an empty list by accident: `stackObjects` (what a stack has while it is up) fails when
// nothing carries the labels, and `leftovers` (what a destroy left) also looks up, by name, every
// object seen while the stack was up, so objects that lost their labels still count as left.
// `sweepStack` removes what is left, for after-hooks.
import type Docker from "dockerode";
import { LABELS } from "../../components/contract";
// The client's public types through its entry point (berth/testing's rollup imports them from there).
import type { DockerClient } from "../client";
import { dockerode } from "../client/docker-client";

export interface StackObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export interface StackObjectsOptions {
  /** Also match the berth.project label. @default any project */
  project?: string;
  /** @default a dockerode client for DOCKER_HOST or the default socket */
  docker?: DockerClient;
}

const NONE: StackObjects = { containers: [], networks: [], volumes: [] };
const count = (o: StackObjects): number => o.containers.length + o.networks.length + o.volumes.length;

/** What carries the stack's labels, possibly nothing (berth's own tests assert exact lists with it). */
export async function labelledObjects(docker: DockerClient, stack: string, project?: string): Promise<StackObjects> {
  const client = dockerode(docker);
  const label = [`${LABELS.stack}=${stack}`, ...(project === undefined ? [] : [`${LABELS.project}=${project}`])];
  const filters = JSON.stringify({ label });
  const [containers, networks, volumes] = await Promise.all([
    client.listContainers({ all: true, filters }),
    client.listNetworks({ filters }),
    client.listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => c.Names[0].replace(/^\//, "")).sort(),
    networks: networks.map((n) => n.Name).sort(),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
  };
}

const labelsOf = (stack: string, project: string | undefined) =>
  `${LABELS.stack}=${stack}${project === undefined ? "" : ` and ${LABELS.project}=${project}`}`;

/**
 * The containers, networks and volumes of a stack that is up, by its labels. Fails when nothing
 * carries them: the stack is not up, the stack or project is wrong, or its objects lost berth's
 * labels — an empty list would make every later check pass.
 */
export async function stackObjects(stack: string, opts: StackObjectsOptions = {}): Promise<StackObjects> {
  const found = await labelledObjects(dockerode(opts.docker), stack, opts.project);
  if (count(found) === 0) {
    throw new Error(
      `no container, network or volume carries ${labelsOf(stack, opts.project)}: is the stack up, on this engine, and are stack and project right? ` +
        "To check that a destroy left nothing, use leftovers(stack, seen) with what stackObjects returned while the stack was up",
    );
  }
  return found;
}

/**
 * What is left of a stack after its destroy: every object carrying its labels, and every object of
 * `seen` (stackObjects while it was up) that the engine still has, labelled or not. Empty when the
 * destroy removed everything. `seen` must list something, so the check cannot pass vacuously.
 */
export async function leftovers(
  stack: string,
  seen: StackObjects,
  opts: StackObjectsOptions = {},
): Promise<StackObjects> {
  if (count(seen) === 0)
    throw new Error(
      `leftovers(${JSON.stringify(stack)}, seen): seen lists nothing; pass what stackObjects(${JSON.stringify(stack)}) returned while the stack was up`,
    );
  const client = dockerode(opts.docker);
  const labelled = await labelledObjects(client, stack, opts.project);
  const exists = (p: Promise<unknown>) =>
    p.then(
      () => true,
      (err: { statusCode?: number }) => (err.statusCode === 404 ? false : Promise.reject(err)),
    );
  const still = async (names: string[], look: (name: string) => Promise<unknown>) =>
    (await Promise.all(names.map(async (n) => ((await exists(look(n))) ? n : undefined)))).filter(
      (n): n is string => n !== undefined,
    );
  const [containers, networks, volumes] = await Promise.all([
    still(seen.containers, (n) => client.getContainer(n).inspect()),
    still(seen.networks, (n) => client.getNetwork(n).inspect()),
    still(seen.volumes, (n) => client.getVolume(n).inspect()),
  ]);
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
  return {
    containers: union(labelled.containers, containers),
    networks: union(labelled.networks, networks),
    volumes: union(labelled.volumes, volumes),
  };
}

/** Removes whatever is left of a stack; never throws (for after-hooks). */
export async function sweepStack(docker: DockerClient, stack: string): Promise<StackObjects> {
  const client: Docker = dockerode(docker);
  const left = await labelledObjects(client, stack).catch(() => NONE);
  const quietly = (p: Promise<unknown>) => p.catch(() => undefined);
  await Promise.all(left.containers.map((name) => quietly(client.getContainer(name).remove({ force: true, v: true }))));
  await Promise.all(left.networks.map((name) => quietly(client.getNetwork(name).remove())));
  await Promise.all(left.volumes.map((name) => quietly(client.getVolume(name).remove())));
  return left;
}
