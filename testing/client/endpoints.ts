// Host URLs of a stack's services (pure). berth's program exports them (`hostUrls`), but a host
// port the engine picked changes when the container restarts (Docker allocates a new one), so the
// port is always read from the live container: a component's container publishes one port. Any
// other program built from the components is reached through the container alone: its published
// port and the credentials the Postgres and Redis components put in its environment.
import type { ContainerInspectInfo } from "dockerode";
import { postgresUrl } from "../../components/postgres/spec";
import { redisUrl } from "../../components/redis/spec";

type Info = Pick<ContainerInspectInfo, "Name" | "Config" | "NetworkSettings">;

/** The program's `hostUrls` output (berth exports one), or an empty record. */
export const hostUrlsOf = (outputs: unknown): Record<string, unknown> =>
  (outputs as { hostUrls?: Record<string, unknown> } | undefined)?.hostUrls ?? {};

/**
 * The names the program's `containerNames` output lists under `key` (berth's program and
 * examples/consumer export one, keyed like `hostUrls`: a name, or a list for a pool), else undefined.
 */
export function containerNamesOf(outputs: unknown, key: string): string[] | undefined {
  const named = (outputs as { containerNames?: Record<string, unknown> } | undefined)?.containerNames?.[key];
  if (typeof named === "string") return [named];
  return Array.isArray(named) && named.every((n) => typeof n === "string") ? (named as string[]) : undefined;
}

/** Every container the `containerNames` output declares, with its key as the service: what `npm run status` expects on the engine. */
export function declaredContainers(outputs: unknown): { service: string; container: string }[] {
  const keys = Object.keys((outputs as { containerNames?: Record<string, unknown> } | undefined)?.containerNames ?? {});
  return keys.flatMap((service) =>
    (containerNamesOf(outputs, service) ?? []).map((container) => ({ service, container })),
  );
}

/** `outputs.hostUrls[service]` when the program exports berth's `hostUrls`, else undefined. */
export function hostUrlFromOutputs(outputs: unknown, service: string): string | undefined {
  const url = hostUrlsOf(outputs)[service];
  return typeof url === "string" && url !== "" ? url : undefined;
}

/** A container's name as `docker ps` prints it (the engine's inspect starts it with "/"). */
export const nameOf = (info: Pick<ContainerInspectInfo, "Name">): string => info.Name.replace(/^\//, "");

/** `url` with another database (a Postgres database name, a Redis database number). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface Published {
  containerPort: string;
  hostIp: string;
  port: number;
}

/** The container's published TCP ports (IPv4 binding first), by container port. */
export function publishedPorts(info: Pick<ContainerInspectInfo, "NetworkSettings">): Published[] {
  return Object.entries(info.NetworkSettings?.Ports ?? {})
    .filter(([key, bindings]) => key.endsWith("/tcp") && (bindings?.length ?? 0) > 0)
    .map(([containerPort, bindings]) => {
      const b = bindings!.find((x) => !x.HostIp.includes(":")) ?? bindings![0];
      return { containerPort, hostIp: b.HostIp || "0.0.0.0", port: Number(b.HostPort) };
    })
    .sort((a, b) => parseInt(a.containerPort, 10) - parseInt(b.containerPort, 10));
}

/** The one port the service's container publishes; undefined when none; an error when several. */
export function servicePort(info: Pick<ContainerInspectInfo, "Name" | "NetworkSettings">): Published | undefined {
  const ports = publishedPorts(info);
  if (ports.length > 1) {
    throw new Error(
      `container ${nameOf(info)} publishes ${ports.length} ports (${ports.map((p) => p.containerPort).join(", ")}); a component's container publishes one, so which one is its service is unclear`,
    );
  }
  return ports[0];
}

function notPublishedMessage(info: Pick<ContainerInspectInfo, "Name">): string {
  return `container ${nameOf(info)} publishes no port to the host: the stack was made with ports.publish none (or publish: false); publish it, or run the tests on the stack's network`;
}

/** An exported URL with the port the container publishes now (it changes on restart). */
export function withLivePort(exported: string, live: Published | undefined): string {
  if (!live) return exported;
  const u = new URL(exported);
  if (Number(u.port) === live.port) return exported;
  u.port = String(live.port);
  // URL adds a "/" path to http URLs; keep the exported spelling ("http://host:port").
  return exported.endsWith("/") || u.pathname !== "/" ? u.toString() : u.toString().replace(/\/$/, "");
}

function envOf(info: Pick<ContainerInspectInfo, "Config">): Map<string, string> {
  return new Map((info.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** A URL from the container alone: postgres:// and redis:// from the components' environment (POSTGRES_*, REDIS_PASSWORD), else http://. */
export function urlFromContainer(service: string, info: Info, host: (hostIp: string) => string): string {
  const live = servicePort(info);
  if (!live) throw new Error(notPublishedMessage(info));
  const env = envOf(info);
  const at = { host: host(live.hostIp), port: live.port };
  if (service === "redis") return redisUrl(at.host, at.port, env.get("REDIS_PASSWORD"));
  if (service !== "postgres") return `http://${at.host}:${at.port}`;
  const password = env.get("POSTGRES_PASSWORD");
  if (password === undefined) {
    throw new Error(
      `container ${nameOf(info)} has no POSTGRES_PASSWORD in its environment, so its URL cannot be derived: export the URL from the program (berth exports hostUrls) and read it from the outputs`,
    );
  }
  // The official image's defaults: user postgres, a database named after the user.
  const user = env.get("POSTGRES_USER") || "postgres";
  return postgresUrl({ ...at, user, password, database: env.get("POSTGRES_DB") || user });
}

/**
 * Old host port → live host port, for every `hostUrls` entry whose container now publishes
 * another port: the gate probes recorded at `up` follow it.
 */
export function movedPorts(outputs: unknown, live: Record<string, Published | undefined>): Map<number, number> {
  const urls = hostUrlsOf(outputs);
  const moved = new Map<number, number>();
  for (const [key, url] of Object.entries(urls)) {
    const now = live[key]?.port;
    const was = typeof url === "string" ? Number(new URL(url).port) : undefined;
    if (was && now !== undefined && now !== was) moved.set(was, now);
  }
  return moved;
}
