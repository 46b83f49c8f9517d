// Docker objects carrying a stack's `berth.stack` label: what "destroy leaves nothing" is checked
// against, and a last-resort sweep for after-hooks so a failed test never leaves objects behind.
import Docker from "dockerode";
import { LABELS } from "../../components/contract";

export interface StackObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export async function stackObjects(docker: Docker, stack: string): Promise<StackObjects> {
  const filters = JSON.stringify({ label: [`${LABELS.stack}=${stack}`] });
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return {
    containers: containers.map((c) => c.Names[0].replace(/^\//, "")).sort(),
    networks: networks.map((n) => n.Name).sort(),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
  };
}

/** Removes whatever is left of a stack; never throws (for after-hooks). */
export async function sweepStack(docker: Docker, stack: string): Promise<StackObjects> {
  const left = await stackObjects(docker, stack).catch(() => ({ containers: [], networks: [], volumes: [] }));
  const quietly = (p: Promise<unknown>) => p.catch(() => undefined);
  await Promise.all(left.containers.map((name) => quietly(docker.getContainer(name).remove({ force: true, v: true }))));
  await Promise.all(left.networks.map((name) => quietly(docker.getNetwork(name).remove())));
  await Promise.all(left.volumes.map((name) => quietly(docker.getVolume(name).remove())));
  return left;
}
