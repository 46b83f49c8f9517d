// Removing what engine mode made: recorded entries in waves (each wave's objects at once, as the
// engine allows: a container joined to another's network namespace before that one, containers
// before their networks), and objects that carry a stack's labels but are in no record — what a
// killed run made after its last state write. Loads no Pulumi SDK: the reaper runs it too.
import type Docker from "dockerode";
import { LABELS } from "../../components/contract";
import type { StackRef } from "../client/stack-containers";
import { removeRecordedOutputs } from "../client/recorded-outputs";
import { readState, removeState, StateEntry } from "./engine-state";
import { applierFor, ignoreGone } from "./resources";

const CONTAINER = "docker:index/container:Container";
const SERVICE = "docker:index/service:Service";
const COMMAND = "command:local:Command";
/** The types whose objects carry the stack's labels (berth labels every one it makes). */
const LABELLED: ReadonlySet<string> = new Set([
  CONTAINER,
  "docker:index/network:Network",
  "docker:index/volume:Volume",
]);
const SWARM_SERVICE_LABEL = "com.docker.swarm.service.id";

/** The wave an entry is removed in: commands (their delete scripts) first, networks and volumes last. */
export function removalWave(e: Pick<StateEntry, "type" | "inputs">): number {
  if (e.type === COMMAND) return 0;
  if (e.type === SERVICE) return 1;
  if (e.type === CONTAINER)
    return typeof e.inputs.networkMode === "string" && e.inputs.networkMode.startsWith("container:") ? 1 : 2;
  return 3;
}

export interface Removal {
  entry: StateEntry;
  startedMs: number;
  finishedMs: number;
  error?: string;
}

/**
 * Removes `entries` wave by wave, each wave at once; an entry that fails is reported, not thrown,
 * and the next waves still run (a network whose container is left will fail in turn).
 * `clock` gives ms since the caller's start, for its timeline.
 */
export async function removeEntries(
  entries: StateEntry[],
  clientOf: (engine: string | undefined) => Docker,
  clock: () => number,
  removed: (e: StateEntry) => void = () => {},
): Promise<Removal[]> {
  const done: Removal[] = [];
  for (const wave of [0, 1, 2, 3]) {
    const members = entries.filter((e) => removalWave(e) === wave).sort((a, b) => b.order - a.order);
    await Promise.all(
      members.map(async (entry) => {
        const startedMs = clock();
        try {
          await applierFor(entry.type).delete(entry, clientOf(entry.engine));
          removed(entry);
          done.push({ entry, startedMs, finishedMs: clock() });
        } catch (err) {
          done.push({ entry, startedMs, finishedMs: clock(), error: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
  }
  return done;
}

/** The label filter of one stack's objects: its project and stack labels. */
export const stackFilter = (ref: StackRef): string =>
  JSON.stringify({ label: [`${LABELS.project}=${ref.project}`, `${LABELS.stack}=${ref.stack}`] });

export interface Unrecorded {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/**
 * Removes the containers and networks (and, with `volumes`, the volumes) that carry the stack's
 * labels but whose ids `known` does not hold: leftovers of a run that died between making an
 * object and recording it. Returns their names.
 */
export async function removeUnrecorded(
  docker: Docker,
  ref: StackRef,
  known: ReadonlySet<string>,
  opts: { volumes: boolean },
): Promise<Unrecorded> {
  const filters = stackFilter(ref);
  // A swarm task's container carries its service's labels: the service is recorded, its tasks are the swarm's.
  const containers = (await docker.listContainers({ all: true, filters })).filter(
    (c) => !known.has(c.Id) && c.Labels?.[SWARM_SERVICE_LABEL] === undefined,
  );
  // Joined to another's namespace first, as in removeEntries.
  const joined = (c: (typeof containers)[number]) => (c.HostConfig?.NetworkMode ?? "").startsWith("container:");
  const rmContainer = (id: string) => docker.getContainer(id).remove({ force: true, v: true }).catch(ignoreGone);
  await Promise.all(containers.filter(joined).map((c) => rmContainer(c.Id)));
  await Promise.all(containers.filter((c) => !joined(c)).map((c) => rmContainer(c.Id)));
  const networks = (await docker.listNetworks({ filters })).filter((n) => !known.has(n.Id));
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(ignoreGone)));
  const volumes = opts.volumes
    ? ((await docker.listVolumes({ filters })).Volumes ?? []).filter((v) => !known.has(v.Name))
    : [];
  await Promise.all(volumes.map((v) => docker.getVolume(v.Name).remove().catch(ignoreGone)));
  return {
    containers: containers.map((c) => c.Names[0].replace(/^\//, "")).sort(),
    networks: networks.map((n) => n.Name).sort(),
    volumes: volumes.map((v) => v.Name).sort(),
  };
}

export interface DestroyPlaces {
  /** Where engine mode keeps state; false: nowhere (only `entries` and the labels count). */
  stateDir: string | false;
  /** Where the stack's outputs were recorded; false: nowhere. */
  outputsDir: string | false;
}

/**
 * Destroys a stack from whatever process: the recorded entries (given, else read from its state
 * file) wave by wave, then everything else that carries its labels on each engine it used — so a
 * killed run's leftovers go too — then the state file and the recorded outputs. Throws, after
 * doing all it can, with every object that could not be removed.
 */
export async function destroyStack(
  ref: StackRef,
  places: DestroyPlaces,
  clientOf: (engine: string | undefined) => Docker,
  entries: StateEntry[] | undefined,
  clock: () => number = () => 0,
): Promise<Removal[]> {
  const known = entries ?? (places.stateDir === false ? [] : (readState(ref, places.stateDir)?.entries ?? []));
  const removals = await removeEntries(known, clientOf, clock);
  // Containers, networks and volumes that failed above carry the stack's labels: the sweep below
  // removes them by force, so only what it cannot remove (and failed commands) is reported.
  const failed = removals
    .filter((r) => r.error !== undefined && !LABELLED.has(r.entry.type))
    .map((r) => `${r.entry.name} (${r.entry.type}): ${r.error}`);
  for (const engine of new Set<string | undefined>([undefined, ...known.map((e) => e.engine)])) {
    try {
      await removeUnrecorded(clientOf(engine), ref, new Set(), { volumes: true });
    } catch (err) {
      failed.push(
        `objects labelled ${ref.project}/${ref.stack} on ${engine ?? "the local engine"}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (places.stateDir !== false && failed.length === 0) removeState(ref, places.stateDir);
  if (places.outputsDir !== false) removeRecordedOutputs(ref, places.outputsDir);
  if (failed.length > 0)
    throw new Error(`destroy of ${ref.project}/${ref.stack} left ${failed.length} object(s):\n${failed.join("\n")}`);
  return removals;
}
