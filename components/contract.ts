// The security contract between berth's components and its policy pack, in one place: the labels
// both read, the policy names, which rules a label may waive, the capability allow-list and the
// restart bound. components/ build containers to it, policy/ checks them against it. No imports:
// the policy pack loads this file from its own package.

/** The label keys berth puts on every container, network and volume. */
export const LABELS = {
  project: "berth.project",
  stack: "berth.stack",
  environment: "berth.environment",
  service: "berth.service",
  /** The pids limit the gate applies after create (the provider has no pids argument). */
  pidsLimit: "berth.pids-limit",
  /** The documented opt-in of a worker pool to the Docker socket (CIS 5.32). */
  allowDockerSocket: "berth.allow-docker-socket",
  /** Comma-separated WAIVABLE_RULES this container was explicitly opted out of (berth:hardening). */
  optOut: "berth.opt-out",
} as const;

/** Every policy of the pack, by what it checks. */
export const RULE_NAMES = {
  nonRootUser: "container-non-root-user",
  capabilitiesDropped: "container-capabilities-dropped",
  notPrivileged: "container-not-privileged",
  noSensitiveHostMounts: "container-no-sensitive-host-mounts",
  noPrivilegedHostPorts: "container-no-privileged-host-ports",
  noHostNetwork: "container-no-host-network",
  memoryLimited: "container-memory-limited",
  cpuLimited: "container-cpu-limited",
  readOnlyRootfs: "container-read-only-rootfs",
  restartBounded: "container-restart-bounded",
  noHostPid: "container-no-host-pid",
  noHostIpc: "container-no-host-ipc",
  noNewPrivileges: "container-no-new-privileges",
  healthcheck: "container-healthcheck",
  pidsLimited: "container-pids-limited",
  noDockerSocket: "container-no-docker-socket",
} as const;
export type RuleName = (typeof RULE_NAMES)[keyof typeof RULE_NAMES];

/**
 * The only rules the opt-out label can waive: each has an explicit per-service setting under
 * berth:hardening. Everything else is never waived by a label — privileged, the Docker socket
 * (its own opt-in label), sensitive host mounts, host namespaces — and an added capability passes
 * only when the pack's `allowedCapabilities` lists it.
 */
export const WAIVABLE_RULES: ReadonlySet<RuleName> = new Set([
  RULE_NAMES.nonRootUser,
  RULE_NAMES.readOnlyRootfs,
  RULE_NAMES.noNewPrivileges,
]);

/**
 * Capabilities a container may add back after dropping ALL, unless the pack is configured
 * otherwise. Enough for an entrypoint that prepares its data directory and steps down to a service
 * user (CHOWN, SETUID, SETGID), and for a low port inside the container. Left out on purpose:
 * NET_RAW, MKNOD, SETFCAP/SETPCAP, AUDIT_WRITE, NET_ADMIN and every SYS_*.
 */
export const DEFAULT_ALLOWED_CAPABILITIES: readonly string[] = ["CHOWN", "SETGID", "SETUID", "NET_BIND_SERVICE"];

/** CIS 5.15: on-failure restarts allow at most this many retries. */
export const MAX_RESTART_RETRIES = 5;

/** Where the engine's socket lives; a mount of it (or of a directory above it) controls the engine. */
export const DOCKER_SOCKET = "/var/run/docker.sock";
export const DOCKER_SOCKET_PATHS: readonly string[] = [DOCKER_SOCKET, "/run/docker.sock"];

/** Host ports below this need privileges on the host (CIS 5.8). */
export const FIRST_UNPRIVILEGED_PORT = 1024;

/** "root", "0", "root:…" or "0:…" run the process as root. */
export function isRootUser(user: string): boolean {
  const name = user.split(":")[0];
  return name === "root" || name === "0";
}
