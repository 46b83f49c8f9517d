// The one table of rules: CIS id, title, berth fix text and the check, over ContainerFacts.
// Both the policy pack (rules.ts) and the `docker inspect` check (inspect-rules.ts) use it.
//
// Numbering: CIS Docker Benchmark v1.6.0, where section 5 starts with the swarm check (5.1), so
// e.g. privileged is 5.5 and the pids limit 5.29. `legacyId` is the v1.2.0–v1.3.1 number that
// older docker-bench-security output prints (privileged 5.4, pids 5.28). "Run as non-root" is
// section 4 (4.1, images) in both versions: the runtime `user` is where berth can enforce it.
import { ContainerFacts, normalizeCapability, normalizeHostPath } from "./facts/container-facts";
import {
  DEFAULT_ALLOWED_CAPABILITIES,
  DOCKER_SOCKET_PATHS,
  FIRST_UNPRIVILEGED_PORT,
  isRootUser,
  LABELS,
  MAX_RESTART_RETRIES,
  RULE_NAMES,
  RuleName,
  WAIVABLE_RULES,
} from "../components/contract";

export type Severity = "low" | "medium" | "high" | "critical";

export interface RuleOptions {
  /** Capabilities a container may add back after dropping ALL. */
  allowedCapabilities: string[];
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = { allowedCapabilities: [...DEFAULT_ALLOWED_CAPABILITIES] };

export interface Outcome {
  passed: boolean;
  /** What was found, in both cases; never a value that could be a secret (env, commands). */
  detail: string;
}

export interface CisRule {
  /** Policy name, and the `rule` of an inspect result. */
  name: RuleName;
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
// CIS 5.12: a CpuShares of 1024 is the engine's default weight, so it does not count as set.
const DEFAULT_CPU_SHARES = 1024;
const MIB = 1024 * 1024;

const pass = (detail: string): Outcome => ({ passed: true, detail });
const fail = (detail: string): Outcome => ({ passed: false, detail });
const list = (items: string[]): string => `[${items.join(", ")}]`;

function hostNamespace(kind: string, mode: string, field: string): Outcome {
  return mode === "host"
    ? fail(`${field} is "host": the container shares the host's ${kind} namespace`)
    : pass(`${field} is ${mode === "" ? "the default" : `"${mode}"`}`);
}

// A mount of the socket, or of a directory above it (/run, /var/run, /var, /), exposes the engine.
function exposesDockerSocket(source: string): boolean {
  const src = normalizeHostPath(source);
  return DOCKER_SOCKET_PATHS.some((sock) => sock === src || sock.startsWith(src === "/" ? "/" : `${src}/`));
}

/** Ordered by CIS id. */
export const RULES: readonly CisRule[] = [
  {
    name: RULE_NAMES.nonRootUser,
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
    name: RULE_NAMES.capabilitiesDropped,
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
    name: RULE_NAMES.notPrivileged,
    id: "5.5",
    legacyId: "5.4",
    title: "privileged containers are not used",
    severity: "critical",
    fix: (svc) =>
      `remove privileged: true; add the one capability the workload needs instead (berth:hardening.${svc}.capAdd)`,
    check: (f) =>
      f.privileged
        ? fail("privileged is true, which grants every capability and every host device")
        : pass("not privileged"),
  },
  {
    name: RULE_NAMES.noSensitiveHostMounts,
    id: "5.6",
    legacyId: "5.5",
    title: "sensitive host directories are not mounted",
    severity: "critical",
    fix: () =>
      `mount a named volume, a tmpfs or a narrower host path instead (sensitive: ${SENSITIVE_HOST_DIRS.join(" ")})`,
    check: (f) => {
      const found = f.hostMounts.filter((m) => SENSITIVE_HOST_DIRS.includes(normalizeHostPath(m.source)));
      if (found.length === 0) return pass("no sensitive host directory mounted");
      return fail(found.map((m) => `host path ${normalizeHostPath(m.source)} is mounted at ${m.target}`).join("; "));
    },
  },
  {
    name: RULE_NAMES.noPrivilegedHostPorts,
    id: "5.8",
    legacyId: "5.7",
    title: "privileged ports are not mapped",
    severity: "medium",
    fix: () =>
      `publish on a host port of ${FIRST_UNPRIVILEGED_PORT} or above, or leave ports[].external unset so the engine picks a free one`,
    check: (f) => {
      const low = f.hostPorts.filter((p) => p > 0 && p < FIRST_UNPRIVILEGED_PORT);
      if (low.length > 0)
        return fail(`host port${low.length > 1 ? "s" : ""} ${low.join(", ")} below ${FIRST_UNPRIVILEGED_PORT}`);
      const bound = f.hostPorts.filter((p) => p > 0);
      return pass(
        bound.length === 0 ? `no fixed host port below ${FIRST_UNPRIVILEGED_PORT}` : `host ports ${bound.join(", ")}`,
      );
    },
  },
  {
    name: RULE_NAMES.noHostNetwork,
    id: "5.10",
    legacyId: "5.9",
    title: "the host's network namespace is not shared",
    severity: "high",
    fix: () => `remove networkMode: "host"; attach the container to the stack's network and publish ports instead`,
    check: (f) => hostNamespace("network", f.networkMode, "network mode"),
  },
  {
    name: RULE_NAMES.memoryLimited,
    id: "5.11",
    legacyId: "5.10",
    title: "memory usage is limited",
    severity: "medium",
    fix: (svc) => `set memory (MB); berth sets it from berth:${svc}.memoryMb`,
    check: (f) =>
      f.memoryBytes > 0
        ? pass(`memory limit ${Math.round((f.memoryBytes / MIB) * 100) / 100} MiB`)
        : fail("no memory limit"),
  },
  {
    name: RULE_NAMES.cpuLimited,
    id: "5.12",
    legacyId: "5.11",
    title: "CPU priority is set",
    severity: "medium",
    fix: (svc) => `set cpus (e.g. "0.5"), cpuShares or cpuQuota; berth sets cpus from berth:${svc}.cpus`,
    check: (f) => {
      if (f.nanoCpus > 0) return pass(`cpus ${f.nanoCpus / 1e9}`);
      if (f.cpuQuota > 0) return pass(`cpu quota ${f.cpuQuota}`);
      if (f.cpuShares > 0 && f.cpuShares !== DEFAULT_CPU_SHARES) return pass(`cpu shares ${f.cpuShares}`);
      return fail(
        f.cpuShares === DEFAULT_CPU_SHARES
          ? "cpu shares 1024 is the default weight, and no CPU limit is set"
          : "no CPU limit or shares",
      );
    },
  },
  {
    name: RULE_NAMES.readOnlyRootfs,
    id: "5.13",
    legacyId: "5.12",
    title: "root filesystem is read-only",
    severity: "medium",
    fix: (svc) =>
      `set readOnly: true and give writable paths a tmpfs, or opt this container out explicitly under berth:hardening.${svc}.readOnly`,
    check: (f) => (f.readOnlyRootfs ? pass("root filesystem is read-only") : fail("the root filesystem is writable")),
  },
  {
    name: RULE_NAMES.restartBounded,
    id: "5.15",
    legacyId: "5.14",
    title: "restart policy is on-failure with at most 5 retries",
    severity: "low",
    fix: (svc) =>
      `set restart: "on-failure" with maxRetryCount 1 to ${MAX_RESTART_RETRIES} (berth:hardening.${svc}.maxRetryCount), or restart: "no"`,
    check: ({ restart: { name, maxRetries } }) => {
      if (name === "" || name === "no") return pass(`restart policy "no"`);
      if (name !== "on-failure") return fail(`restart policy "${name}" restarts without bound`);
      if (maxRetries <= 0) return fail(`restart policy "on-failure" has no retry limit`);
      if (maxRetries > MAX_RESTART_RETRIES)
        return fail(`restart policy "on-failure" allows ${maxRetries} retries, more than ${MAX_RESTART_RETRIES}`);
      return pass(`restart policy "on-failure" with at most ${maxRetries} retries`);
    },
  },
  {
    name: RULE_NAMES.noHostPid,
    id: "5.16",
    legacyId: "5.15",
    title: "the host's process namespace is not shared",
    severity: "critical",
    fix: () => `remove pidMode: "host"`,
    check: (f) => hostNamespace("process", f.pidMode, "pid mode"),
  },
  {
    name: RULE_NAMES.noHostIpc,
    id: "5.17",
    legacyId: "5.16",
    title: "the host's IPC namespace is not shared",
    severity: "high",
    fix: () => `remove ipcMode: "host" (use shmSize when the workload needs more shared memory)`,
    check: (f) => hostNamespace("IPC", f.ipcMode, "ipc mode"),
  },
  {
    name: RULE_NAMES.noNewPrivileges,
    id: "5.26",
    legacyId: "5.25",
    title: "additional privileges cannot be acquired",
    severity: "high",
    fix: (svc) =>
      `add "no-new-privileges:true" to securityOpts, or opt this container out explicitly under berth:hardening.${svc}.noNewPrivileges`,
    check: (f) => {
      // The engine accepts "no-new-privileges", "no-new-privileges:true" and "=true"; the last one wins.
      const settings = f.securityOpts.filter((o) => /^no-new-privileges([:=]|$)/.test(o));
      const last = settings[settings.length - 1];
      if (last !== undefined && /^no-new-privileges([:=]true)?$/.test(last)) return pass(`security option "${last}"`);
      // Read only when the options lack it: a daemon-wide default shows nowhere but in the kernel.
      if (last === undefined && f.runtimeNoNewPrivs === true)
        return pass("NoNewPrivs is 1 for the main process (the engine's daemon-wide no-new-privileges)");
      return fail(
        last === undefined
          ? `securityOpts ${list(f.securityOpts)} lack no-new-privileges`
          : `security option "${last}" allows new privileges`,
      );
    },
  },
  {
    name: RULE_NAMES.healthcheck,
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
    name: RULE_NAMES.pidsLimited,
    id: "5.29",
    legacyId: "5.28",
    title: "the PIDs cgroup limit is used",
    severity: "medium",
    fix: (svc) =>
      `apply a pids limit after create (docker update --pids-limit) and label the container ${LABELS.pidsLimit}=<n>; berth does both from berth:hardening.${svc}.pidsLimit`,
    check: ({ pidsLimit: { limit, source, raw } }) => {
      if (limit !== undefined && limit > 0) return pass(`pids limit ${limit}`);
      return fail(raw === undefined ? `${source} is not set` : `${source} is ${raw}, not a positive integer`);
    },
  },
  {
    name: RULE_NAMES.noDockerSocket,
    id: "5.32",
    legacyId: "5.31",
    title: "the Docker socket is not mounted",
    severity: "critical",
    fix: () =>
      `remove the mount; a worker pool that must drive Docker opts in with berth:workers.dockerSocket: true, which labels its containers ${LABELS.allowDockerSocket}=true`,
    check: (f) => {
      const found = f.hostMounts.filter((m) => exposesDockerSocket(m.source));
      if (found.length === 0) return pass("Docker socket not mounted");
      const what = found.map((m) => `host path ${normalizeHostPath(m.source)} is mounted at ${m.target}`).join("; ");
      // Read the opt-in label only when needed: a label unknown during preview then stays harmless.
      if (f.label(LABELS.allowDockerSocket) === "true")
        return pass(`${what}, allowed by label ${LABELS.allowDockerSocket}=true`);
      return fail(`${what} without the label ${LABELS.allowDockerSocket}=true`);
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
  return (facts.label(LABELS.optOut) ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
}

/**
 * Runs one rule, honouring an explicit opt-out of a waivable rule: berth's components label a
 * container with the rules its stack config turned off for it (berth:hardening), so the opt-out is
 * visible in the plan and in `docker inspect`. A label naming any other rule waives nothing.
 */
export function evaluate(rule: CisRule, facts: ContainerFacts, options: RuleOptions): Outcome {
  const outcome = rule.check(facts, options);
  if (outcome.passed || !WAIVABLE_RULES.has(rule.name) || !optedOut(facts).includes(rule.name)) return outcome;
  return pass(`${outcome.detail}, opted out explicitly (label ${LABELS.optOut})`);
}

/**
 * The waivable rules a container's settings fail: what its opt-out label must list. The checks
 * are the pack's own, run over the same facts, so the label can never drift from the rules.
 */
export function waivedBy(facts: ContainerFacts, options: RuleOptions = DEFAULT_RULE_OPTIONS): RuleName[] {
  return RULES.filter((rule) => WAIVABLE_RULES.has(rule.name) && !rule.check(facts, options).passed).map(
    (rule) => rule.name,
  );
}
