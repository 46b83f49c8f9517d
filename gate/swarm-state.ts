// Pure: what the manager says about a replicated swarm service (its spec, tasks and nodes) → one
// gate observation. Ready when as many tasks as replicas run the service's current spec on a Ready
// node: a task with a healthcheck only reaches "running" once healthy (swarm waits for it), so
// "running" is "running and healthy". A task of the current spec that failed (or exited by itself)
// ends the gate, naming the task and its node; older tasks (before the last update) never do.

/** The fields of GET /services/{id} the gate reads. */
export interface ServiceJson {
  ID: string;
  CreatedAt?: string;
  Spec: {
    Name: string;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    TaskTemplate?: Record<string, unknown> & {
      ContainerSpec?: Record<string, unknown> & { Healthcheck?: { Test?: string[] } };
    };
  };
  UpdateStatus?: { State?: string; Message?: string; StartedAt?: string };
}

/** The fields of GET /tasks the gate reads. */
export interface TaskJson {
  ID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState: string;
  Spec?: Record<string, unknown>;
  Status: {
    State: string;
    Timestamp?: string;
    Err?: string;
    Message?: string;
    ContainerStatus?: { ExitCode?: number };
  };
}

/** The fields of GET /nodes the gate reads. */
export interface NodeJson {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string };
}

/** A task that ended the gate: what the report names. */
export interface FailedTask {
  id: string;
  /** `<service>.<slot>`, as `docker service ps` shows it. */
  name: string;
  /** The node's host name, or its id when the manager no longer knows it. */
  node: string;
  state: string;
  error: string;
  exitCode?: number;
}

export type SwarmAssessment =
  { state: "healthy" | "starting"; detail: string } | { state: "error"; detail: string; failed?: FailedTask };

/** States a task never leaves that mean it did not do its job (a task stopped by swarm ends "shutdown"). */
const FAILED_STATES = new Set(["failed", "rejected", "complete"]);

/** Task states in lifecycle order (`docker service ps` prefers the lowest desired state per slot). */
const ORDER = [
  "new",
  "pending",
  "assigned",
  "accepted",
  "preparing",
  "ready",
  "starting",
  "running",
  "complete",
  "shutdown",
  "failed",
  "rejected",
  "remove",
  "orphaned",
];
const rank = (state: string) => {
  const i = ORDER.indexOf(state);
  return i < 0 ? ORDER.length : i;
};

/** Keys in a fixed order, so two specs compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * Whether a task runs the service's current spec. A task carries a copy of the TaskTemplate it was
 * made from; the manager adds `Runtime` to the service's copy only.
 */
export function runsCurrentSpec(task: Pick<TaskJson, "Spec">, service: Pick<ServiceJson, "Spec">): boolean {
  const strip = (spec: Record<string, unknown> | undefined) => {
    const { Runtime: _runtime, ...rest } = spec ?? {};
    return canonical(rest);
  };
  return strip(task.Spec) === strip(service.Spec.TaskTemplate);
}

export function nodeName(nodes: readonly NodeJson[], id: string | undefined): string {
  if (!id) return "no node yet";
  return nodes.find((n) => n.ID === id)?.Description?.Hostname ?? id;
}

function failure(service: ServiceJson, task: TaskJson, nodes: readonly NodeJson[]): FailedTask {
  const exitCode = task.Status.ContainerStatus?.ExitCode;
  const error =
    task.Status.Err ||
    (task.Status.State === "complete" ? `exited ${exitCode ?? 0} by itself` : task.Status.Message || task.Status.State);
  return {
    id: task.ID,
    name: `${service.Spec.Name}.${task.Slot ?? "?"}`,
    node: nodeName(nodes, task.NodeID),
    state: task.Status.State,
    error,
    ...(exitCode === undefined ? {} : { exitCode }),
  };
}

/** "worker-1 (2), worker-2 (2)" */
function spread(tasks: readonly TaskJson[], nodes: readonly NodeJson[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(nodeName(nodes, t.NodeID), (counts.get(nodeName(nodes, t.NodeID)) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([node, n]) => `${node} (${n})`)
    .join(", ");
}

const MAX_SLOTS_SHOWN = 3;

/**
 * One look at the service. `expected`: the replica count the gate was told (the spec must ask for
 * it); undefined takes the spec's.
 */
export function assessService(
  service: ServiceJson,
  tasks: readonly TaskJson[],
  nodes: readonly NodeJson[],
  expected?: number,
): SwarmAssessment {
  const mode = service.Spec.Mode ?? {};
  if (mode.Global !== undefined || mode.Replicated === undefined)
    return {
      state: "error",
      detail: "is not a replicated service (the gate counts the replicas of replicated services only)",
    };
  const asked = mode.Replicated.Replicas ?? 1;
  if (expected !== undefined && asked !== expected) {
    return {
      state: "error",
      detail: `asks for ${asked} replicas, not the ${expected} the gate was given: the service was changed after it was declared (docker service scale/update?)`,
    };
  }
  const test = service.Spec.TaskTemplate?.ContainerSpec?.Healthcheck?.Test ?? [];
  if (test.length === 0 || test[0] === "NONE") {
    return {
      state: "error",
      detail:
        "has no healthcheck in its spec (TaskTemplate.ContainerSpec.Healthcheck): add one, so that a running replica is a healthy one",
    };
  }
  // Since the current spec was applied: the last update's start (UpdatedAt moves with every status
  // write), else the service's creation. Earlier failures of an equal spec are history.
  const since = Date.parse(service.UpdateStatus?.StartedAt ?? service.CreatedAt ?? "") || 0;
  const current = tasks.filter((t) => runsCurrentSpec(t, service));
  const failed = current
    .filter((t) => FAILED_STATES.has(t.Status.State) && (Date.parse(t.Status.Timestamp ?? "") || 0) >= since)
    .sort((a, b) => (a.Status.Timestamp ?? "").localeCompare(b.Status.Timestamp ?? ""))[0];
  if (failed) {
    const f = failure(service, failed, nodes);
    return {
      state: "error",
      detail: `task ${f.name} (${f.id.slice(0, 12)}) on node ${f.node} ${f.state}: ${f.error}`,
      failed: f,
    };
  }
  // After the tasks: a paused update names a task that failed, which is the better report.
  const update = service.UpdateStatus?.State;
  if (update === "paused" || update?.startsWith("rollback_")) {
    return {
      state: "error",
      detail: `update ${update.replace("_", " ")}: ${service.UpdateStatus?.Message ?? "no message"}`,
    };
  }

  const ready = new Set(nodes.filter((n) => n.Status?.State === "ready").map((n) => n.ID));
  const running = current.filter(
    (t) =>
      t.DesiredState === "running" && t.Status.State === "running" && t.NodeID !== undefined && ready.has(t.NodeID),
  );
  if (running.length === asked)
    return {
      state: "healthy",
      detail: `${asked} of ${asked} replicas running and healthy on ${spread(running, nodes)}`,
    };

  // The rest, one line per slot: the task swarm wants running there, else its latest.
  const bySlot = new Map<number, TaskJson>();
  for (const t of current.filter((t) => !running.includes(t))) {
    const slot = t.Slot ?? 0;
    const seen = bySlot.get(slot);
    if (
      !seen ||
      rank(t.DesiredState) < rank(seen.DesiredState) ||
      (rank(t.DesiredState) === rank(seen.DesiredState) && rank(t.Status.State) > rank(seen.Status.State))
    )
      bySlot.set(slot, t);
  }
  const waiting = [...bySlot.entries()]
    .filter(([, t]) => t.DesiredState === "running")
    .sort(([a], [b]) => a - b)
    .map(([slot, t]) => {
      const why =
        t.Status.Err || (t.Status.State === "pending" || t.Status.State === "preparing" ? t.Status.Message : "");
      return `slot ${slot} ${t.Status.State}${t.NodeID ? ` on ${nodeName(nodes, t.NodeID)}` : ""}${why ? ` (${why})` : ""}`;
    });
  const shown =
    waiting.slice(0, MAX_SLOTS_SHOWN).join("; ") +
    (waiting.length > MAX_SLOTS_SHOWN ? `; ${waiting.length - MAX_SLOTS_SHOWN} more` : "");
  return {
    state: "starting",
    detail: `${running.length} of ${asked} replicas running and healthy${shown ? `; ${shown}` : ""}`,
  };
}
