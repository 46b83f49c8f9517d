// The one table of rules: CIS id, title, berth fix text and the check, over ContainerFacts.
// Both the policy pack (rules.ts) and the `docker inspect` check (inspect-rules.ts) use it.
//
// Numbering: CIS Docker Benchmark v1.6.0, where section 5 starts with the swarm check (5.1), so
// e.g. privileged is 5.5 and the pids limit 5.29. `legacyId` is the v1.2.0–v1.3.1 number that
// older docker-bench-security output prints (privileged 5.4, pids 5.28). "Run as non-root" is
// section 4 (4.1, images) in both versions: the runtime `user` is where berth can enforce it.
import { ContainerFacts, POLICY_LABELS, normalizeCapability, normalizeHostPath } from "./facts/container-facts";

export type Severity = "low" | "medium" | "high" | "critical";

export interface RuleOptions {
  /** Capabilities a container may add back after dropping ALL. */
  allowedCapabilities: string[];
}

/**
 * Enough for an entrypoint that starts as root, prepares its data directory and steps down to a
 * service user (CHOWN, SETUID, SETGID), and for a low port inside the container. Left out on
 * purpose: NET_RAW (spoofing), MKNOD, SETFCAP/SETPCAP, AUDIT_WRITE, NET_ADMIN and every SYS_*.
 */
export const DEFAULT_ALLOWED_CAPABILITIES: readonly string[] = ["CHOWN", "SETGID", "SETUID", "NET_BIND_SERVICE"];

export const DEFAULT_RULE_OPTIONS: RuleOptions = { allowedCapabilities: [...DEFAULT_ALLOWED_CAPABILITIES] };

export interface Outcome {
  passed: boolean;
  /** What was found, in both cases; never a value that could be a secret (env, commands). */
  detail: string;
}

export interface CisRule {
  /** Policy name, and the `rule` of an inspect result. */
  name: string;
  /** CIS Docker Benchmark v1.6.0 id. */
  id: string;
  /** The same check in v1.2.0–v1.3.1 numbering. */
  legacyId: string;
  title: string;
  severity: Severity;
  /** How to fix it in berth terms; `service` is the container's berth.service label or "<service>". */
  fix(service: string): string;
  check(facts: ContainerFacts, options: RuleOptions): Outcome;
}

export const SENSITIVE_HOST_DIRS: readonly string[] = ["/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"];
export const DOCKER_SOCKET_PATHS: readonly string[] = ["/var/run/docker.sock", "/run/docker.sock"];
const MAX_RESTART_RETRIES = 5;
// CIS 5.12: a CpuShares of 1024 is the engine's default weight, so it does not count as set.
const DEFAULT_CPU_SHARES = 1024;
const MIB = 1024 * 1024;

const pass = (detail: string): Outcome => ({ passed: true, detail });
const fail = (detail: string): Outcome => ({ passed: false, detail });
const list = (items: string[]): string => `[${items.join(", ")}]`;

function hostNamespace(kind: string, mode: string, field: string): Outcome {
  return mode === "host" ? fail(`${field} is "host": the container shares the host's ${kind} namespace`) : pass(`${field} is ${mode === "" ? "the default" : `"${mode}"`}`);
}

// A mount of the socket, or of a directory above it (/run, /var/run, /var, /), exposes the engine.
function exposesDockerSocket(source: string): boolean {
  const src = normalizeHostPath(source);
  return DOCKER_SOCKET_PATHS.some((sock) => sock === src || sock.startsWith(src === "/" ? "/" : `${src}/`));
}

function isRootUser(user: string): boolean {
  const name = user.split(":")[0];
  return name === "root" || name === "0";
}

/** Ordered by CIS id. */
export const RULES: readonly CisRule[] = [
  {
    name: "container-non-root-user",
    id: "4.1",
    legacyId: "4.1",
    title: "user is not root",
    severity: "high",
    fix: (svc) => `set user to a non-root numeric "uid:gid" such as "1000:1000" (berth:hardening.${svc}.user)`,
    check: ({ user }) => {
      if (user === "") return fail("user is not set, so the image's user (usually root) runs the process");
      return isRootUser(user) ? fail(`user is "${user}", which is root`) : pass(`user is "${user}"`);
    },
  },
  {
    name: "container-capabilities-dropped",
    id: "5.4",
    legacyId: "5.3",
    title: "Linux kernel capabilities are restricted",
    severity: "high",
    fix: (svc) =>
      `set capabilities: { drops: ["ALL"] } and add back only capabilities on the allow-list (policy config "allowedCapabilities"), through berth:hardening.${svc}.capAdd`,
    check: (f, o) => {
      const drops = f.capDrop.map(normalizeCapability);
      const adds = f.capAdd.map(normalizeCapability);
      const allowed = o.allowedCapabilities.map(normalizeCapability);
      const extra = adds.filter((c) => !allowed.includes(c));
      const problems = [
        ...(drops.includes("ALL") ? [] : [`drops ${list(drops)} instead of ALL`]),
        ...(extra.length === 0 ? [] : [`adds ${list(extra)}, not on the allow-list ${list(allowed)}`]),
      ];
      if (problems.length > 0) return fail(problems.join("; "));
      return pass(adds.length === 0 ? "drops ALL" : `drops ALL, adds ${list(adds)}`);
    },
  },
  {
    name: "container-not-privileged",
    id: "5.5",
    legacyId: "5.4",
    title: "privileged containers are not used",
    severity: "critical",
    fix: (svc) => `remove privileged: true; add the one capability the workload needs instead (berth:hardening.${svc}.capAdd)`,
    check: (f) => (f.privileged ? fail("privileged is true, which grants every capability and every host device") : pass("not privileged")),
  },
  {
    name: "container-no-sensitive-host-mounts",
    id: "5.6",
    legacyId: "5.5",
    title: "sensitive host directories are not mounted",
    severity: "critical",
    fix: () => `mount a named volume, a tmpfs or a narrower host path instead (sensitive: ${SENSITIVE_HOST_DIRS.join(" ")})`,
    check: (f) => {
      const found = f.hostMounts.filter((m) => SENSITIVE_HOST_DIRS.includes(normalizeHostPath(m.source)));
      if (found.length === 0) return pass("no sensitive host directory mounted");
      return fail(found.map((m) => `host path ${normalizeHostPath(m.source)} is mounted at ${m.target}`).join("; "));
    },
  },
  {
    name: "container-no-privileged-host-ports",
    id: "5.8",
    legacyId: "5.7",
    title: "privileged ports are not mapped",
    severity: "medium",
    fix: () => `publish on a host port of 1024 or above, or leave ports[].external unset so the engine picks a free one`,
    check: (f) => {
      const low = f.hostPorts.filter((p) => p > 0 && p < 1024);
      if (low.length > 0) return fail(`host port${low.length > 1 ? "s" : ""} ${low.join(", ")} below 1024`);
      const bound = f.hostPorts.filter((p) => p > 0);
      return pass(bound.length === 0 ? "no fixed host port below 1024" : `host ports ${bound.join(", ")}`);
    },
  },
  {
    name: "container-no-host-network",
    id: "5.10",
    legacyId: "5.9",
    title: "the host's network namespace is not shared",
    severity: "high",
    fix: () => `remove networkMode: "host"; attach the container to the stack's network and publish ports instead`,
    check: (f) => hostNamespace("network", f.networkMode, "network mode"),
  },
  {
    name: "container-memory-limited",
    id: "5.11",
    legacyId: "5.10",
    title: "memory usage is limited",
    severity: "medium",
    fix: (svc) => `set memory (MB); berth sets it from berth:${svc}.memoryMb`,
    check: (f) => (f.memoryBytes > 0 ? pass(`memory limit ${Math.round((f.memoryBytes / MIB) * 100) / 100} MiB`) : fail("no memory limit")),
  },
  {
    name: "container-cpu-limited",
    id: "5.12",
    legacyId: "5.11",
    title: "CPU priority is set",
    severity: "medium",
    fix: (svc) => `set cpus (e.g. "0.5"), cpuShares or cpuQuota; berth sets cpus from berth:${svc}.cpus`,
    check: (f) => {
      if (f.nanoCpus > 0) return pass(`cpus ${f.nanoCpus / 1e9}`);
      if (f.cpuQuota > 0) return pass(`cpu quota ${f.cpuQuota}`);
      if (f.cpuShares > 0 && f.cpuShares !== DEFAULT_CPU_SHARES) return pass(`cpu shares ${f.cpuShares}`);
      return fail(f.cpuShares === DEFAULT_CPU_SHARES ? "cpu shares 1024 is the default weight, and no CPU limit is set" : "no CPU limit or shares");
    },
  },
  {
    name: "container-read-only-rootfs",
    id: "5.13",
    legacyId: "5.12",
    title: "root filesystem is read-only",
    severity: "medium",
    fix: (svc) => `set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.${svc}.readOnly`,
    check: (f) => (f.readOnlyRootfs ? pass("root filesystem is read-only") : fail("the root filesystem is writable")),
  },
  {
    name: "container-restart-bounded",
    id: "5.15",
    legacyId: "5.14",
    title: "restart policy is on-failure with at most 5 retries",
    severity: "low",
    fix: (svc) => `set restart: "on-failure" with maxRetryCount 1 to ${MAX_RESTART_RETRIES} (berth:hardening.${svc}.maxRetryCount), or restart: "no"`,
    check: ({ restart: { name, maxRetries } }) => {
      if (name === "" || name === "no") return pass(`restart policy "no"`);
      if (name !== "on-failure") return fail(`restart policy "${name}" restarts without bound`);
      if (maxRetries <= 0) return fail(`restart policy "on-failure" has no retry limit`);
      if (maxRetries > MAX_RESTART_RETRIES) return fail(`restart policy "on-failure" allows ${maxRetries} retries, more than ${MAX_RESTART_RETRIES}`);
      return pass(`restart policy "on-failure" with at most ${maxRetries} retries`);
    },
  },
  {
    name: "container-no-host-pid",
    id: "5.16",
    legacyId: "5.15",
    title: "the host's process namespace is not shared",
    severity: "critical",
    fix: () => `remove pidMode: "host"`,
    check: (f) => hostNamespace("process", f.pidMode, "pid mode"),
  },
  {
    name: "container-no-host-ipc",
    id: "5.17",
    legacyId: "5.16",
    title: "the host's IPC namespace is not shared",
    severity: "high",
    fix: () => `remove ipcMode: "host" (use shmSize when the workload needs more shared memory)`,
    check: (f) => hostNamespace("IPC", f.ipcMode, "ipc mode"),
  },
  {
    name: "container-no-new-privileges",
    id: "5.26",
    legacyId: "5.25",
    title: "additional privileges cannot be acquired",
    severity: "high",
    fix: (svc) => `add "no-new-privileges:true" to securityOpts, or opt this container out explicitly under berth:hardening.${svc}.noNewPrivileges`,
    check: (f) => {
      // The engine accepts "no-new-privileges", "no-new-privileges:true" and "=true"; the last one wins.
      const settings = f.securityOpts.filter((o) => /^no-new-privileges([:=]|$)/.test(o));
      const last = settings[settings.length - 1];
      if (last !== undefined && /^no-new-privileges([:=]true)?$/.test(last)) return pass(`security option "${last}"`);
      return fail(last === undefined ? `securityOpts ${list(f.securityOpts)} lack no-new-privileges` : `security option "${last}" allows new privileges`);
    },
  },
  {
    name: "container-healthcheck",
    id: "5.27",
    legacyId: "5.26",
    title: "container health is checked at runtime",
    severity: "medium",
    fix: () => `set healthcheck.tests to a real probe, e.g. ["CMD", "pg_isready"]: berth's health gates read it`,
    // The command itself is not echoed: it can carry a password (redis-cli -a …).
    check: ({ healthcheckTest: test }) => {
      if (test.length === 0) return fail("no healthcheck");
      return test[0] === "NONE" ? fail(`healthcheck is disabled ("NONE")`) : pass("healthcheck set");
    },
  },
  {
    name: "container-pids-limited",
    id: "5.29",
    legacyId: "5.28",
    title: "the PIDs cgroup limit is used",
    severity: "medium",
    fix: (svc) =>
      `apply a pids limit after create (docker update --pids-limit) and label the container ${POLICY_LABELS.pidsLimit}=<n>; berth does both from berth:hardening.${svc}.pidsLimit`,
    check: ({ pidsLimit: { limit, source, raw } }) => {
      if (limit !== undefined && limit > 0) return pass(`pids limit ${limit}`);
      return fail(raw === undefined ? `${source} is not set` : `${source} is ${raw}, not a positive integer`);
    },
  },
  {
    name: "container-no-docker-socket",
    id: "5.32",
    legacyId: "5.31",
    title: "the Docker socket is not mounted",
    severity: "critical",
    fix: () =>
      `remove the mount; a worker pool that must drive Docker opts in with berth:workers.dockerSocket: true, which labels its containers ${POLICY_LABELS.allowDockerSocket}=true`,
    check: (f) => {
      const found = f.hostMounts.filter((m) => exposesDockerSocket(m.source));
      if (found.length === 0) return pass("Docker socket not mounted");
      const what = found.map((m) => `host path ${normalizeHostPath(m.source)} is mounted at ${m.target}`).join("; ");
      // Read the opt-in label only when needed: a label unknown during preview then stays harmless.
      if (f.label(POLICY_LABELS.allowDockerSocket) === "true") return pass(`${what}, allowed by label ${POLICY_LABELS.allowDockerSocket}=true`);
      return fail(`${what} without the label ${POLICY_LABELS.allowDockerSocket}=true`);
    },
  },
];

/** The rule with this policy name; throws on a typo so callers fail loudly. */
export function ruleNamed(name: string): CisRule {
  const rule = RULES.find((r) => r.name === name);
  if (rule === undefined) throw new Error(`no CIS rule named "${name}"; known: ${RULES.map((r) => r.name).join(", ")}`);
  return rule;
}

/** Policy names listed in the container's opt-out label. */
export function optedOut(facts: ContainerFacts): string[] {
  return (facts.label(POLICY_LABELS.optOut) ?? "").split(",").map((name) => name.trim()).filter(Boolean);
}

/**
 * Runs one rule, honouring an explicit opt-out: berth's components label a container with the
 * rules its stack config turned off for it, so the opt-out is visible in the plan and in
 * `docker inspect`, and the mandatory pack does not block what the user chose on purpose.
 */
export function evaluate(rule: CisRule, facts: ContainerFacts, options: RuleOptions): Outcome {
  if (optedOut(facts).includes(rule.name)) return pass(`opted out explicitly (label ${POLICY_LABELS.optOut})`);
  return rule.check(facts, options);
}
