// The engine-mode harness's translation of @pulumi/docker 5.2 Container inputs (as berth uses
// them) to one Engine API create call, following the upstream provider's create function
// (kreuzwerker/terraform-provider-docker resource_docker_container_funcs.go). Pure, so a table
// test pins every field. An input it does not know fails loudly instead of being dropped.
import type Dockerode from "dockerode";

const MB = 1024 * 1024;

/** Provider inputs this translation handles; anything else is an error (never silently ignored). */
export const CONTAINER_INPUTS = new Set([
  "name",
  "image",
  "user",
  "memory",
  "memorySwap",
  "cpus",
  "readOnly",
  "securityOpts",
  "capabilities",
  "restart",
  "maxRetryCount",
  "init",
  "healthcheck",
  "tmpfs",
  "volumes",
  "envs",
  "command",
  "ports",
  "networksAdvanced",
  "networkMode",
  "labels",
  "removeVolumes",
  "mustRun",
  "logs",
  "attach",
  "wait",
  "destroyGraceSeconds",
  "start",
  "stopSignal",
  "stopTimeout",
]);

/** Go duration strings as the provider parses them ("200ms", "2s", "1m30s") → nanoseconds. */
export function durationNs(text: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`not a duration: "${text}"`);
  return Math.round(parts.reduce((total, [, n, unit]) => total + Number(n) * units[unit], 0));
}

export interface ContainerInputs {
  name: string;
  image: string;
  [key: string]: any;
}

export interface CreateCall {
  options: Dockerode.ContainerCreateOptions;
  /** Start after create (the provider's `start`, default true). */
  start: boolean;
  /** Seconds to wait for a stop before removal, or undefined to remove at once. */
  destroyGraceSeconds?: number;
  removeVolumes: boolean;
}

export function containerCreateCall(inputs: ContainerInputs): CreateCall {
  const unknown = Object.keys(inputs).filter((k) => inputs[k] !== undefined && !CONTAINER_INPUTS.has(k));
  if (unknown.length > 0)
    throw new Error(`engine mode does not translate Container inputs: ${unknown.sort().join(", ")}`);
  if (inputs.wait === true)
    throw new Error("engine mode does not implement Container `wait` (berth gates readiness itself)");
  if (inputs.attach === true) throw new Error("engine mode does not implement Container `attach`");
  if ((inputs.networksAdvanced ?? []).length > 1) throw new Error("engine mode connects one network per container");
  if (inputs.networkMode && (inputs.networksAdvanced ?? []).length > 0) {
    throw new Error(
      `engine mode gives a container networkMode or networksAdvanced, not both (networkMode ${inputs.networkMode})`,
    );
  }

  const ports: { internal: number; external?: number; ip?: string; protocol?: string }[] = inputs.ports ?? [];
  const portKey = (p: (typeof ports)[number]) => `${p.internal}/${p.protocol ?? "tcp"}`;
  const exposed = Object.fromEntries(ports.map((p) => [portKey(p), {}]));
  // An empty HostPort lets the engine pick a free port (the provider's "random port >= 32768").
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports)
    (bindings[portKey(p)] ??= []).push({ HostIp: p.ip ?? "0.0.0.0", HostPort: p.external ? String(p.external) : "" });

  const binds: string[] = [];
  const anonymous: Record<string, object> = {};
  for (const v of inputs.volumes ?? []) {
    const source = v.hostPath ?? v.volumeName;
    if (v.fromContainer) throw new Error("engine mode does not implement volumes.fromContainer");
    if (source) binds.push(`${source}:${v.containerPath}${v.readOnly ? ":ro" : ""}`);
    else anonymous[v.containerPath] = {};
  }

  const hc = inputs.healthcheck;
  const network = inputs.networksAdvanced?.[0];
  const swap: number | undefined = inputs.memorySwap;
  const options: Dockerode.ContainerCreateOptions = {
    name: inputs.name,
    Image: inputs.image,
    ...(inputs.user ? { User: inputs.user } : {}),
    ...(inputs.envs?.length ? { Env: inputs.envs } : {}),
    ...(inputs.command?.length ? { Cmd: inputs.command } : {}),
    ...(ports.length ? { ExposedPorts: exposed } : {}),
    ...(Object.keys(anonymous).length ? { Volumes: anonymous } : {}),
    Labels: Object.fromEntries((inputs.labels ?? []).map((l: { label: string; value: string }) => [l.label, l.value])),
    // As the provider: an empty signal is the engine's default (the image's STOPSIGNAL, else
    // SIGTERM), and a StopTimeout of 0 is not sent (the engine's 10 s applies).
    ...(inputs.stopSignal ? { StopSignal: inputs.stopSignal } : {}),
    ...(inputs.stopTimeout ? { StopTimeout: inputs.stopTimeout } : {}),
    ...(hc
      ? {
          Healthcheck: {
            Test: hc.tests,
            Interval: hc.interval ? durationNs(hc.interval) : 0,
            Timeout: hc.timeout ? durationNs(hc.timeout) : 0,
            StartPeriod: hc.startPeriod ? durationNs(hc.startPeriod) : 0,
            Retries: hc.retries ?? 0,
          },
        }
      : {}),
    HostConfig: {
      ...(inputs.memory ? { Memory: inputs.memory * MB } : {}),
      // The provider passes -1 (unlimited) through and scales positive values from MB.
      ...(swap ? { MemorySwap: swap > 0 ? swap * MB : swap } : {}),
      ...(inputs.cpus ? { NanoCpus: Math.round(Number(inputs.cpus) * 1e9) } : {}),
      ReadonlyRootfs: inputs.readOnly ?? false,
      ...(inputs.securityOpts?.length ? { SecurityOpt: inputs.securityOpts } : {}),
      ...(inputs.capabilities?.adds?.length ? { CapAdd: inputs.capabilities.adds } : {}),
      ...(inputs.capabilities?.drops?.length ? { CapDrop: inputs.capabilities.drops } : {}),
      RestartPolicy: { Name: inputs.restart ?? "no", MaximumRetryCount: inputs.maxRetryCount ?? 0 },
      Init: inputs.init ?? false,
      ...(inputs.tmpfs && Object.keys(inputs.tmpfs).length ? { Tmpfs: inputs.tmpfs } : {}),
      ...(binds.length ? { Binds: binds } : {}),
      ...(ports.length ? { PortBindings: bindings } : {}),
      ...(inputs.networkMode ? { NetworkMode: inputs.networkMode } : network ? { NetworkMode: network.name } : {}),
    },
    ...(network
      ? { NetworkingConfig: { EndpointsConfig: { [network.name]: { Aliases: network.aliases ?? [] } } } }
      : {}),
  };
  return {
    options,
    start: inputs.start ?? true,
    destroyGraceSeconds: inputs.destroyGraceSeconds,
    removeVolumes: inputs.removeVolumes ?? true,
  };
}

/** Inputs the provider applies to a live container through ContainerUpdate, that this translation handles. */
export const CONTAINER_UPDATE_INPUTS = new Set(["memory", "memorySwap", "restart", "maxRetryCount"]);

/**
 * The ContainerUpdate body the provider's Update sends for a container's applied inputs
 * (resource_docker_container_funcs.go resourceDockerContainerUpdate): memory and swap as at
 * create (both, so a larger memory never meets the old swap), and the restart policy.
 */
export function containerUpdateBody(inputs: ContainerInputs): Record<string, unknown> {
  const { HostConfig } = containerCreateCall(inputs).options;
  return {
    ...(HostConfig?.Memory !== undefined ? { Memory: HostConfig.Memory } : {}),
    ...(HostConfig?.MemorySwap !== undefined ? { MemorySwap: HostConfig.MemorySwap } : {}),
    RestartPolicy: HostConfig?.RestartPolicy,
  };
}

/** The provider's `ports` output: each declared port with the host port the engine bound. */
export function publishedPorts(
  declared: { internal: number; external?: number; ip?: string; protocol?: string }[],
  inspected: Record<string, { HostIp: string; HostPort: string }[] | null> | undefined,
): { internal: number; external: number | undefined; ip: string; protocol: string }[] {
  return declared.map((p) => {
    const protocol = p.protocol ?? "tcp";
    const bound =
      inspected?.[`${p.internal}/${protocol}`]?.find((b) => (p.ip ?? "0.0.0.0") === b.HostIp) ??
      inspected?.[`${p.internal}/${protocol}`]?.[0];
    return {
      internal: p.internal,
      external: bound ? Number(bound.HostPort) : p.external,
      ip: p.ip ?? "0.0.0.0",
      protocol,
    };
  });
}
