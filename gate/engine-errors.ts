// How gate/ and tools/ name an engine they cannot reach, and which engine errors mean what. No
// client library is imported here: the gate loads its Engine API client only when it needs one.
import { DOCKER_SOCKET } from "../components/contract";
import { redactUrl } from "./redact";

/** A client that can say where it connects: the gate's EngineClient (socketPath), or dockerode (its modem). */
export type EngineClientLike = { socketPath?: string; modem?: unknown };

/** Where a client talks to, for messages: DOCKER_HOST as given, else the socket it resolved. */
export async function engineAddress(client: EngineClientLike | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.DOCKER_HOST) return redactUrl(env.DOCKER_HOST) ?? env.DOCKER_HOST;
  // docker-modem keeps the default socket as a function that picks ~/.docker/run or /var/run.
  const socket =
    client?.socketPath ?? (client?.modem as { socketPath?: string | (() => Promise<string>) } | undefined)?.socketPath;
  const path = typeof socket === "function" ? await socket() : socket;
  return `unix://${path ?? DOCKER_SOCKET}`;
}

/**
 * The Engine API clients (the gate's own and docker-modem) give errors from the engine a numeric
 * statusCode; anything else (socket missing, refused, ssh failure, malformed DOCKER_HOST) means
 * the engine was never reached.
 */
export function isEngineUnreachable(err: unknown): boolean {
  return typeof (err as { statusCode?: unknown })?.statusCode !== "number";
}

const REASONS: Record<string, string> = {
  ENOENT: "no socket at that path",
  ECONNREFUSED: "connection refused",
  EACCES: "permission denied",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENOTFOUND: "host not found",
  ECONNRESET: "connection reset",
};

export function unreachableReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return (e?.code && REASONS[e.code]) ?? e?.message ?? String(err);
}

export function engineUnreachableMessage(address: string, reason: string): string {
  return `cannot reach the Docker engine at ${address} (${reason}). Start dockerd or set DOCKER_HOST.`;
}

/** The message for an error that never reached the engine (isEngineUnreachable), naming where it tried. */
export async function unreachableMessageFor(
  client: EngineClientLike | undefined,
  err: unknown,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return engineUnreachableMessage(await engineAddress(client, env), unreachableReason(err));
}

/** True for the engine's 503 to a swarm call: it is not a swarm manager. */
export function isNotSwarmManager(err: unknown): boolean {
  return (err as { statusCode?: unknown })?.statusCode === 503;
}

/** True for the engine's 404 "no such container". */
export function isNoSuchContainer(err: unknown): boolean {
  return (err as { statusCode?: unknown })?.statusCode === 404;
}
