// The container settings the CIS checks look at, in one neutral shape. Two adapters fill it: one
// from the inputs of a `docker.Container` (args-facts.ts, for the policy pack) and one from
// `docker inspect` output (inspect-rules.ts). The checks (catalog.ts) are written once, over this.
import * as path from "path";

/** A host path mounted into the container (bind mounts only: named volumes and tmpfs are not host paths). */
export interface HostMount {
  source: string;
  target: string;
}

/** Where a pids limit was read from, as the check reports it. */
export interface PidsFact {
  /** A positive limit, or undefined when none is in force. */
  limit: number | undefined;
  /** e.g. `label berth.pids-limit` or `HostConfig.PidsLimit`. */
  source: string;
  /** The raw value as found, for the message; undefined when absent. */
  raw: string | undefined;
}

/**
 * Read lazily by the checks: the args adapter implements these as getters so a value that is
 * unknown during preview only affects the checks that read it.
 */
export interface ContainerFacts {
  readonly privileged: boolean;
  /** 0 = no limit. */
  readonly memoryBytes: number;
  /** 0 = not set, for all three. */
  readonly nanoCpus: number;
  readonly cpuShares: number;
  readonly cpuQuota: number;
  readonly readOnlyRootfs: boolean;
  readonly securityOpts: string[];
  /** The healthcheck test in exec form; [] when there is none. */
  readonly healthcheckTest: string[];
  readonly pidsLimit: PidsFact;
  /** name "" is the engine default, which is "no". */
  readonly restart: { name: string; maxRetries: number };
  readonly hostMounts: HostMount[];
  readonly networkMode: string;
  readonly pidMode: string;
  readonly ipcMode: string;
  readonly capAdd: string[];
  readonly capDrop: string[];
  /** Host ports bound explicitly; 0 means the engine picks a free one. */
  readonly hostPorts: number[];
  /** "" when not set (the image's user, usually root). */
  readonly user: string;
  /**
   * The kernel's NoNewPrivs flag of the container's main process (/proc/<pid>/status), when it was
   * read: the only evidence of a daemon-wide `no-new-privileges` (a swarm task on Engine API 1.41
   * cannot ask for it, and `docker inspect` does not show the daemon's default).
   */
  readonly runtimeNoNewPrivs?: boolean;
  label(key: string): string | undefined;
}

/** "cap_net_raw" and "NET_RAW" name the same capability. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  return upper.startsWith("CAP_") ? upper.slice(4) : upper;
}

/** "/etc/", "/etc/." and "//etc" all name /etc. */
export function normalizeHostPath(source: string): string {
  const normal = path.posix.normalize(source);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

/** Non-empty strings of an array-ish input; anything else is treated as absent. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

/** A finite number, or 0. */
export function numberOr0(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
