// Host URLs of a stack's Postgres and Redis (pure). berth's program exports them (`hostUrls`); any
// other program built from the components is reached through the service's container instead: its
// published port and, for Postgres, the POSTGRES_* environment the Postgres component gives it.
import type { ContainerInspectInfo } from "dockerode";

export type DataService = "postgres" | "redis";

/** `outputs.hostUrls[service]` when the program exports berth's `hostUrls`, else undefined. */
export function hostUrlFromOutputs(outputs: unknown, service: DataService): string | undefined {
  const urls = (outputs as { hostUrls?: Record<string, unknown> } | undefined)?.hostUrls;
  const url = urls?.[service];
  return typeof url === "string" && url !== "" ? url : undefined;
}

/** The host side of `containerPort`/tcp, or undefined when it is not published. */
export function publishedHostPort(info: Pick<ContainerInspectInfo, "NetworkSettings">, containerPort: number): { hostIp: string; port: number } | undefined {
  const bindings = info.NetworkSettings?.Ports?.[`${containerPort}/tcp`] ?? [];
  const v4 = bindings.find((b) => !b.HostIp.includes(":")) ?? bindings[0];
  return v4 ? { hostIp: v4.HostIp || "0.0.0.0", port: Number(v4.HostPort) } : undefined;
}

function envOf(info: Pick<ContainerInspectInfo, "Config">): Map<string, string> {
  return new Map((info.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

const nameOf = (info: Pick<ContainerInspectInfo, "Name">) => info.Name.replace(/^\//, "");

function notPublished(info: Pick<ContainerInspectInfo, "Name">, port: number): Error {
  return new Error(`container ${nameOf(info)} does not publish port ${port} to the host: the stack was made with ports.publish none (or publish: false); publish it, or run the tests on the stack's network`);
}

/** postgres://user:password@host:port/db from the container, as the official image's contract names them. */
export function postgresUrlOf(info: Pick<ContainerInspectInfo, "Name" | "Config" | "NetworkSettings">, containerPort: number, host: (hostIp: string) => string): string {
  const published = publishedHostPort(info, containerPort);
  if (!published) throw notPublished(info, containerPort);
  const env = envOf(info);
  const password = env.get("POSTGRES_PASSWORD");
  if (password === undefined) {
    throw new Error(`container ${nameOf(info)} has no POSTGRES_PASSWORD in its environment, so its URL cannot be derived: export the URL from the program (berth exports hostUrls) and read it from the outputs`);
  }
  const user = env.get("POSTGRES_USER") || "postgres";
  const database = env.get("POSTGRES_DB") || user;
  const e = encodeURIComponent;
  return `postgres://${e(user)}:${e(password)}@${host(published.hostIp)}:${published.port}/${e(database)}`;
}

export function redisUrlOf(info: Pick<ContainerInspectInfo, "Name" | "NetworkSettings">, containerPort: number, host: (hostIp: string) => string): string {
  const published = publishedHostPort(info, containerPort);
  if (!published) throw notPublished(info, containerPort);
  return `redis://${host(published.hostIp)}:${published.port}`;
}
