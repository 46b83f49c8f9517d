// A stack's containers, found by the labels every component puts on them (berth.project,
// berth.stack, berth.service): works for any program built from the components.
import type Docker from "dockerode";
import type { ContainerInspectInfo } from "dockerode";
import { LABELS } from "../../components/contract";
import { isNoSuchContainer } from "../../gate/engine-errors";
import { nameOf } from "./endpoints";

/** Which stack: the project and stack labels (berth's own program uses project "berth"). */
export interface StackRef {
  project: string;
  stack: string;
}

/** Label filters for one stack, and optionally one service of it. */
function stackFilters(ref: StackRef, service?: string): { label: string[] } {
  const label = [`${LABELS.project}=${ref.project}`, `${LABELS.stack}=${ref.stack}`];
  if (service !== undefined) label.push(`${LABELS.service}=${service}`);
  return { label };
}

/** Every container carrying the stack's labels (all states), inspected; one removed meanwhile is left out. */
export async function stackContainers(
  docker: Docker,
  ref: StackRef,
  service?: string,
): Promise<ContainerInspectInfo[]> {
  const listed = await docker.listContainers({ all: true, filters: stackFilters(ref, service) });
  return inspectExisting(
    docker,
    listed.map((c) => c.Id),
  );
}

/** Inspects each container; one the engine does not have (or removed meanwhile) is left out. */
async function inspectExisting(docker: Docker, refs: readonly string[]): Promise<ContainerInspectInfo[]> {
  const infos = await Promise.all(
    refs.map((ref) =>
      docker
        .getContainer(ref)
        .inspect()
        .catch((err: unknown) => {
          if (isNoSuchContainer(err)) return undefined;
          throw err;
        }),
    ),
  );
  return infos.filter((i): i is NonNullable<typeof i> => i !== undefined);
}

/**
 * The stack's containers found by its labels, plus those of `names` (the declared ones) that carry
 * no label but exist by name; a declared name the engine does not know is left out (the health
 * report makes it a MISSING row).
 */
export async function stackAndNamedContainers(
  docker: Docker,
  ref: StackRef,
  names: readonly string[],
): Promise<ContainerInspectInfo[]> {
  const labelled = await stackContainers(docker, ref);
  const known = new Set(labelled.map(nameOf));
  return [
    ...labelled,
    ...(await inspectExisting(
      docker,
      names.filter((n) => !known.has(n)),
    )),
  ];
}
