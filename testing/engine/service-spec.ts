// The engine-mode harness's translation of @pulumi/docker 5.2 Service inputs (as berth uses them)
// to the Engine API's ServiceSpec, following the upstream provider's createServiceSpec
// (kreuzwerker/terraform-provider-docker, resource_docker_service_structures.go): env map → "K=V"
// list, label lists → maps, durations parsed as Go durations, network ids as attachment targets.
// Pure, so a table test pins every field. An input it does not translate fails loudly.
import { durationNs } from "./container-spec";

type Inputs = Record<string, any>;
type Labels = Array<{ label: string; value: string }> | undefined;

/** Inputs this translation handles, per level; anything else set is an error. */
const SERVICE_INPUTS = {
  service: new Set(["name", "labels", "mode", "endpointSpec", "updateConfig", "taskSpec"]),
  taskSpec: new Set(["containerSpec", "resources", "restartPolicy", "placement", "networksAdvanceds", "forceUpdate"]),
  containerSpec: new Set([
    "image",
    "labels",
    "commands",
    "args",
    "hostname",
    "env",
    "dir",
    "user",
    "groups",
    "readOnly",
    "mounts",
    "stopSignal",
    "stopGracePeriod",
    "healthcheck",
    "init",
    "capAdds",
    "capDrops",
  ]),
  mount: new Set(["type", "target", "source", "readOnly", "tmpfsOptions"]),
  resources: new Set(["limits", "reservation"]),
  limits: new Set(["memoryBytes", "nanoCpus"]),
  restartPolicy: new Set(["condition", "delay", "maxAttempts", "window"]),
  placement: new Set(["constraints", "prefs", "maxReplicas"]),
  network: new Set(["id", "name", "aliases", "driverOpts"]),
  updateConfig: new Set(["parallelism", "delay", "failureAction", "monitor", "maxFailureRatio", "order"]),
  endpointSpec: new Set(["mode"]),
  mode: new Set(["replicated", "global"]),
} as const;

function check(level: keyof typeof SERVICE_INPUTS, value: Inputs | undefined, where: string): void {
  const unknown = Object.keys(value ?? {}).filter((k) => value![k] !== undefined && !SERVICE_INPUTS[level].has(k));
  if (unknown.length > 0)
    throw new Error(
      `engine mode does not translate Service inputs: ${unknown
        .sort()
        .map((k) => `${where}${k}`)
        .join(", ")}`,
    );
}

const labelMap = (labels: Labels) => Object.fromEntries((labels ?? []).map((l) => [l.label, l.value]));
const ns = (text: string | undefined) => (text === undefined ? undefined : durationNs(text));
/** Drops undefined values, as Go's omitempty does for the fields the provider leaves unset. */
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function containerSpec(c: Inputs): Inputs {
  check("containerSpec", c, "taskSpec.containerSpec.");
  const hc = c.healthcheck;
  return defined({
    Image: c.image,
    Labels: c.labels === undefined ? undefined : labelMap(c.labels),
    Command: c.commands,
    Args: c.args,
    Hostname: c.hostname,
    Env: c.env === undefined ? undefined : Object.entries(c.env as Record<string, string>).map(([k, v]) => `${k}=${v}`),
    Dir: c.dir,
    User: c.user,
    Groups: c.groups,
    ReadOnly: c.readOnly,
    Mounts: (c.mounts as Inputs[] | undefined)?.map((m) => {
      check("mount", m, "taskSpec.containerSpec.mounts[].");
      if (m.tmpfsOptions !== undefined && m.type !== "tmpfs")
        throw new Error(`engine mode: tmpfsOptions on a ${m.type} mount`);
      return defined({
        Type: m.type,
        Target: m.target,
        Source: m.source,
        ReadOnly: m.readOnly,
        TmpfsOptions:
          m.tmpfsOptions === undefined
            ? undefined
            : defined({ SizeBytes: m.tmpfsOptions.sizeBytes, Mode: m.tmpfsOptions.mode }),
      });
    }),
    StopSignal: c.stopSignal,
    StopGracePeriod: ns(c.stopGracePeriod),
    Healthcheck:
      hc === undefined
        ? undefined
        : {
            Test: hc.tests ?? [],
            Interval: ns(hc.interval) ?? 0,
            Timeout: ns(hc.timeout) ?? 0,
            StartPeriod: ns(hc.startPeriod) ?? 0,
            Retries: hc.retries ?? 0,
          },
    Init: c.init,
    CapabilityAdd: c.capAdds,
    CapabilityDrop: c.capDrops,
  });
}

function taskSpec(t: Inputs): Inputs {
  check("taskSpec", t, "taskSpec.");
  if (t.containerSpec === undefined) throw new Error("engine mode: taskSpec.containerSpec is required");
  const r = t.resources;
  if (r) {
    check("resources", r, "taskSpec.resources.");
    check("limits", r.limits, "taskSpec.resources.limits.");
    check("limits", r.reservation, "taskSpec.resources.reservation.");
  }
  const rp = t.restartPolicy;
  if (rp) check("restartPolicy", rp, "taskSpec.restartPolicy.");
  const p = t.placement;
  if (p) check("placement", p, "taskSpec.placement.");
  const networks: Inputs[] = t.networksAdvanceds ?? [];
  networks.forEach((n) => check("network", n, "taskSpec.networksAdvanceds[]."));
  return defined({
    ContainerSpec: containerSpec(t.containerSpec),
    Resources:
      r === undefined
        ? undefined
        : defined({
            Limits:
              r.limits === undefined
                ? undefined
                : defined({ NanoCPUs: r.limits.nanoCpus, MemoryBytes: r.limits.memoryBytes }),
            Reservations:
              r.reservation === undefined
                ? undefined
                : defined({ NanoCPUs: r.reservation.nanoCpus, MemoryBytes: r.reservation.memoryBytes }),
          }),
    RestartPolicy:
      rp === undefined
        ? undefined
        : defined({ Condition: rp.condition, Delay: ns(rp.delay), MaxAttempts: rp.maxAttempts, Window: ns(rp.window) }),
    Placement:
      p === undefined
        ? undefined
        : defined({
            Constraints: p.constraints,
            Preferences: (p.prefs as string[] | undefined)?.map((s) => ({ Spread: { SpreadDescriptor: s } })),
            MaxReplicas: p.maxReplicas,
          }),
    ForceUpdate: t.forceUpdate,
    Networks:
      networks.length === 0
        ? undefined
        : networks.map((n) => {
            const target = n.id || n.name;
            if (!target) throw new Error("engine mode: a service network needs an id or a name (the provider's rule)");
            return defined({
              Target: target,
              Aliases: n.aliases,
              DriverOpts:
                n.driverOpts === undefined
                  ? undefined
                  : Object.fromEntries((n.driverOpts as string[]).map((o) => o.split("="))),
            });
          }),
  });
}

/** The ServiceSpec of POST /services/create for a docker.Service's inputs. */
export function serviceCreateSpec(inputs: Inputs): Inputs {
  check("service", inputs, "");
  if (!inputs.name) throw new Error("engine mode: a Service needs a name");
  if (inputs.taskSpec === undefined) throw new Error("engine mode: a Service needs a taskSpec");
  const mode = inputs.mode;
  if (mode) check("mode", mode, "mode.");
  const update = inputs.updateConfig;
  if (update) check("updateConfig", update, "updateConfig.");
  const endpoint = inputs.endpointSpec;
  if (endpoint) check("endpointSpec", endpoint, "endpointSpec.");
  return defined({
    Name: inputs.name,
    Labels: labelMap(inputs.labels),
    TaskTemplate: taskSpec(inputs.taskSpec),
    Mode: mode?.global ? { Global: {} } : { Replicated: defined({ Replicas: mode?.replicated?.replicas }) },
    UpdateConfig:
      update === undefined
        ? undefined
        : defined({
            Parallelism: update.parallelism,
            Delay: ns(update.delay),
            FailureAction: update.failureAction,
            Monitor: ns(update.monitor),
            MaxFailureRatio: update.maxFailureRatio === undefined ? undefined : Number(update.maxFailureRatio),
            Order: update.order,
          }),
    EndpointSpec: endpoint === undefined ? undefined : defined({ Mode: endpoint.mode }),
  });
}

/** Seconds the provider waits for a removed service's tasks to go: only with a stop grace period. */
export function removalWaitSeconds(inputs: Inputs): number | undefined {
  const grace = inputs.taskSpec?.containerSpec?.stopGracePeriod;
  if (grace === undefined || ns(grace) === 0) return undefined;
  return ns(grace)! / 1e9;
}
