// The same CIS rules as the policy pack, checked against a running container's `docker inspect`.
//
// API (what the e2e suite calls):
//   inspectContainer(json, options?) → RuleResult[]   one result per rule of catalog.ts, in id order
//   inspectReport(json, options?, runtime?) → ContainerReport { container, service?, results }, named after json.Name
//     (runtime: what only the running container tells, e.g. { noNewPrivs: noNewPrivsOf(procStatus) })
//   formatResultTable(reports)       → string (report-table.ts): container × rule pass/fail, then failures
// `json` is one element of `docker inspect <id>` (the CLI prints an array) or dockerode's
// `container.inspect()`. Every field is optional: what is absent counts as the engine default.
//
//   const info = await docker.getContainer(id).inspect();
//   const report = inspectReport(info);
//   console.log(formatResultTable([report]));
//   assert.deepEqual(report.results.filter((r) => !r.passed), []);
import { DEFAULT_RULE_OPTIONS, RULES, RuleOptions, evaluate } from "./catalog";
import { ContainerFacts, HostMount, PidsFact, numberOr0, stringList } from "./facts/container-facts";
import { LABELS } from "../components/contract";

export interface RuleResult {
  /** Policy name, e.g. "container-read-only-rootfs". */
  rule: string;
  /** CIS Docker Benchmark v1.6.0 id, e.g. "5.13". */
  id: string;
  title: string;
  passed: boolean;
  /** What was found (pass or fail). */
  detail: string;
}

export interface ContainerReport {
  container: string;
  /** The berth.service label, which names the config section in fix texts. */
  service?: string;
  results: RuleResult[];
}

/** The part of `docker inspect` output the rules read. Nulls are what the engine prints for "unset". */
export interface InspectJson {
  Name?: string;
  Id?: string;
  Config?: {
    User?: string | null;
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[] | null } | null;
  } | null;
  HostConfig?: {
    Privileged?: boolean | null;
    Memory?: number | null;
    NanoCpus?: number | null;
    CpuShares?: number | null;
    CpuQuota?: number | null;
    ReadonlyRootfs?: boolean | null;
    SecurityOpt?: string[] | null;
    PidsLimit?: number | null;
    RestartPolicy?: { Name?: string | null; MaximumRetryCount?: number | null } | null;
    Binds?: string[] | null;
    NetworkMode?: string | null;
    PidMode?: string | null;
    IpcMode?: string | null;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    PortBindings?: Record<string, Array<{ HostIp?: string | null; HostPort?: string | null }> | null> | null;
  } | null;
  Mounts?: Array<{ Type?: string | null; Source?: string | null; Destination?: string | null }> | null;
}

// "/src:/dst[:opts]" binds; a first part without a leading "/" is a named volume, not a host path.
function bindMount(bind: string): HostMount | undefined {
  const [source, target = ""] = bind.split(":");
  return source.startsWith("/") ? { source, target } : undefined;
}

// The engine lists a bind both in HostConfig.Binds and in Mounts; count each pair once.
function hostMountsOf(json: InspectJson): HostMount[] {
  const fromMounts = (json.Mounts ?? [])
    .filter((m) => m.Type === "bind" && typeof m.Source === "string" && m.Source !== "")
    .map((m): HostMount => ({ source: m.Source as string, target: m.Destination ?? "" }));
  const fromBinds = stringList(json.HostConfig?.Binds)
    .map(bindMount)
    .filter((m): m is HostMount => m !== undefined);
  const seen = new Set<string>();
  return [...fromMounts, ...fromBinds].filter((m) => {
    const key = `${m.source}\u0000${m.target}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

// PortBindings HostPort "" means "engine picks"; a range "8000-8010" is checked by its first port.
function hostPortsOf(json: InspectJson): number[] {
  const bindings = Object.values(json.HostConfig?.PortBindings ?? {});
  return bindings.flatMap((list) => (list ?? []).map((b) => Number.parseInt(b.HostPort ?? "", 10) || 0));
}

function pidsOf(json: InspectJson): PidsFact {
  const value = json.HostConfig?.PidsLimit;
  const known = typeof value === "number";
  return {
    limit: known && value > 0 ? value : undefined,
    source: "HostConfig.PidsLimit",
    raw: known ? String(value) : undefined,
  };
}

/** What only the running container tells: read inside it, not from `docker inspect`. */
export interface RuntimeFacts {
  /** NoNewPrivs of its main process, e.g. from noNewPrivsOf(`cat /proc/1/status`). */
  noNewPrivs?: boolean;
}

/** The NoNewPrivs flag from a /proc/<pid>/status text; undefined when the line is missing. */
export function noNewPrivsOf(status: string): boolean | undefined {
  const match = /^NoNewPrivs:\s*([01])\s*$/m.exec(status);
  return match ? match[1] === "1" : undefined;
}

/** ContainerFacts from inspect output (a snapshot: nothing here can be unknown). */
export function inspectFacts(json: InspectJson, runtime: RuntimeFacts = {}): ContainerFacts {
  const host = json.HostConfig ?? {};
  const config = json.Config ?? {};
  const labels = config.Labels ?? {};
  return {
    privileged: host.Privileged === true,
    memoryBytes: numberOr0(host.Memory),
    nanoCpus: numberOr0(host.NanoCpus),
    cpuShares: numberOr0(host.CpuShares),
    cpuQuota: numberOr0(host.CpuQuota),
    readOnlyRootfs: host.ReadonlyRootfs === true,
    securityOpts: stringList(host.SecurityOpt),
    healthcheckTest: stringList(config.Healthcheck?.Test),
    pidsLimit: pidsOf(json),
    restart: { name: host.RestartPolicy?.Name ?? "", maxRetries: numberOr0(host.RestartPolicy?.MaximumRetryCount) },
    hostMounts: hostMountsOf(json),
    networkMode: host.NetworkMode ?? "",
    pidMode: host.PidMode ?? "",
    ipcMode: host.IpcMode ?? "",
    capAdd: stringList(host.CapAdd),
    capDrop: stringList(host.CapDrop),
    hostPorts: hostPortsOf(json),
    user: config.User ?? "",
    ...(runtime.noNewPrivs === undefined ? {} : { runtimeNoNewPrivs: runtime.noNewPrivs }),
    label: (key) => (Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined),
  };
}

/** Every rule against one container's inspect output, in CIS id order. */
export function inspectContainer(
  json: InspectJson,
  options: RuleOptions = DEFAULT_RULE_OPTIONS,
  runtime: RuntimeFacts = {},
): RuleResult[] {
  const facts = inspectFacts(json, runtime);
  return RULES.map((rule) => ({ rule: rule.name, id: rule.id, title: rule.title, ...evaluate(rule, facts, options) }));
}

/** The container's name without the engine's leading "/" (or its short id when it has no name). */
export function containerName(json: InspectJson): string {
  return (json.Name ?? "").replace(/^\//, "") || (json.Id ?? "").slice(0, 12);
}

export function inspectReport(
  json: InspectJson,
  options: RuleOptions = DEFAULT_RULE_OPTIONS,
  runtime: RuntimeFacts = {},
): ContainerReport {
  const service = json.Config?.Labels?.[LABELS.service];
  return {
    container: containerName(json),
    ...(service === undefined ? {} : { service }),
    results: inspectContainer(json, options, runtime),
  };
}
