// The Engine API calls gate/ and tools/ make. On a unix socket or a plain tcp:// DOCKER_HOST (the
// local engine, a swarm manager) they go over Node's own http: loading docker-modem costs ~30 ms
// of CPU before the first request, and every gate process pays it on a tier's critical path. Any
// other DOCKER_HOST (ssh://, TLS by DOCKER_TLS_VERIFY, DOCKER_CERT_PATH or port 2376, npipe, a path
// prefix or client timeout) goes through docker-modem, the transport dockerode is built on, which
// reads them like the docker CLI; its ssh2 (~30 ms more) is loaded only for an ssh:// host.
import { accessSync } from "node:fs";
import { IncomingMessage, request } from "node:http";
import Module from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import type { ContainerInspectInfo, ImageInspectInfo } from "dockerode";
import type DockerModem from "docker-modem";
import { DOCKER_SOCKET } from "../components/contract";

export interface EngineClient {
  /** The unix socket requests go to (for messages; undefined for a DOCKER_HOST that is not one). */
  readonly socketPath?: string;
  /** GET /events as a stream of JSON lines; resolves once the engine answered (subscribed). */
  events(filters: Record<string, string[]>, signal?: AbortSignal): Promise<NodeJS.ReadableStream>;
  inspect(ref: string, signal?: AbortSignal): Promise<ContainerInspectInfo>;
  /** GET /images/{ref}/json: rejects with statusCode 404 when the engine does not hold it. */
  image(ref: string, signal?: AbortSignal): Promise<ImageInspectInfo>;
  /** POST /containers/{ref}/update (resources such as PidsLimit). */
  update(ref: string, resources: Record<string, unknown>, signal?: AbortSignal): Promise<void>;
  /** The last `tail` log lines, stdout and stderr, as the engine frames them. */
  logs(ref: string, tail: number): Promise<Buffer>;
  /** GET /services/{ref}: a swarm manager's view of a service. */
  service<T>(ref: string, signal?: AbortSignal): Promise<T>;
  /** GET /tasks with filters (e.g. { service: [id] }). */
  tasks<T>(filters: Record<string, string[]>, signal?: AbortSignal): Promise<T[]>;
  /** GET /nodes. */
  nodes<T>(signal?: AbortSignal): Promise<T[]>;
  /** GET /networks: every network of the engine (a swarm manager's overlays too), with its IPAM config. */
  networks(signal?: AbortSignal): Promise<NetworkSummary[]>;
  /** The last `tail` log lines of a swarm task, as the manager frames them. */
  taskLogs(id: string, tail: number, signal?: AbortSignal): Promise<Buffer>;
}

/** The fields of GET /networks that berth reads. */
export interface NetworkSummary {
  Name: string;
  Id: string;
  IPAM?: { Config?: { Subnet?: string }[] | null } | null;
}

const CONTAINER_CODES: Record<number, true | string> = {
  200: true,
  204: true,
  400: "bad parameter",
  404: "no such container",
  500: "server error",
};
const IMAGE_CODES: Record<number, true | string> = { 200: true, 404: "no such image", 500: "server error" };
const SWARM_CODES: Record<number, true | string> = {
  200: true,
  400: "bad parameter",
  404: "no such service or task",
  500: "server error",
  503: "node is not part of a swarm",
};

/** One Engine API request, as docker-modem's dial takes it (the subset the gate and the tools use). */
interface EngineRequest {
  /** Ends with "?" when `options` go in the query string (GET); otherwise they are the JSON body (POST). */
  path: string;
  method: "GET" | "POST";
  options: Record<string, unknown>;
  isStream?: boolean;
  /** Status → true (success) or what the error message calls it. */
  statusCodes: Record<number, true | string>;
  abortSignal?: AbortSignal;
}
type Dial = <T>(req: EngineRequest) => Promise<T>;

/** Where a plain HTTP Engine API listens: a unix socket, or host and port. */
export type PlainEndpoint = { socketPath: string } | { host: string; port: number };

/**
 * The endpoint of DOCKER_HOST as the docker CLI and docker-modem read it, when Node's http can
 * speak to it; undefined when it needs docker-modem (ssh, TLS, npipe, a path prefix or timeout).
 */
export function plainEndpoint(
  env: NodeJS.ProcessEnv,
  defaultSocket: () => string = defaultUnixSocket,
): PlainEndpoint | undefined {
  const host = env.DOCKER_HOST;
  if (!host) return process.platform === "win32" ? undefined : { socketPath: defaultSocket() };
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) || defaultSocket() };
  if (env.DOCKER_TLS_VERIFY === "1" || env.DOCKER_CERT_PATH || env.DOCKER_PATH_PREFIX || env.DOCKER_CLIENT_TIMEOUT)
    return undefined;
  let url: URL;
  try {
    url = new URL(host.includes("//") ? host : `tcp://${host}`);
  } catch {
    return undefined; // docker-modem reports the malformed DOCKER_HOST
  }
  if (!["tcp:", "http:"].includes(url.protocol) || url.port === "" || url.port === "2376") return undefined;
  return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port) };
}

/** docker-modem's default: Docker Desktop's per-user socket when there is one, else the system's. */
function defaultUnixSocket(): string {
  const user = join(homedir(), ".docker", "run", "docker.sock");
  try {
    accessSync(user);
    return user;
  } catch {
    return DOCKER_SOCKET;
  }
}

/** The query string docker-modem builds: objects (filters) as JSON, the rest as they are. */
export function engineQuery(options: Record<string, unknown>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    query.append(
      key,
      value !== null && typeof value === "object" && !Array.isArray(value) ? JSON.stringify(value) : String(value),
    );
  }
  const text = query.toString();
  return text === "" ? "" : `?${text}`;
}

/** The error docker-modem gives for a status the request does not expect (statusCode set: the engine answered). */
export function engineStatusError(
  status: number,
  statusCodes: Record<number, true | string>,
  body: string,
): Error & { statusCode: number; reason?: string; json: unknown } {
  let json: unknown = body;
  try {
    json = JSON.parse(body);
  } catch {
    // not JSON: the text is the cause
  }
  const parsed = json as { message?: string; error?: string } | string;
  const cause = typeof parsed === "object" && parsed !== null ? (parsed.message ?? parsed.error ?? body) : body;
  const reason = typeof statusCodes[status] === "string" ? (statusCodes[status] as string) : undefined;
  return Object.assign(new Error(`(HTTP code ${status}) ${reason ?? "unexpected"} - ${cause} `), {
    statusCode: status,
    reason,
    json,
  });
}

/** Requests over Node's http, with its default keep-alive agent: a gate's many requests share sockets. */
function httpDial(endpoint: PlainEndpoint): Dial {
  return <T>(r: EngineRequest) =>
    new Promise<T>((resolve, reject) => {
      const isGet = r.path.endsWith("?");
      const body = !isGet && Object.keys(r.options).length > 0 ? JSON.stringify(r.options) : undefined;
      const req = request({
        ...endpoint,
        path: isGet ? r.path.slice(0, -1) + engineQuery(r.options) : r.path,
        method: r.method,
        headers:
          body === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
        signal: r.abortSignal,
      });
      req.on("error", reject);
      req.on("response", (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (r.statusCodes[status] === true && r.isStream) return resolve(res as unknown as T);
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          if (r.statusCodes[status] !== true)
            return reject(engineStatusError(status, r.statusCodes, raw.toString("utf8")));
          if (raw.length === 0) return resolve(undefined as T);
          // As docker-modem: JSON when it parses, else the bytes (log frames).
          try {
            resolve(JSON.parse(raw.toString("utf8")) as T);
          } catch {
            resolve(raw as unknown as T);
          }
        });
      });
      req.end(body);
    });
}

/** Requests through docker-modem, for the DOCKER_HOSTs Node's http does not speak alone. */
function modemDial(): Dial {
  deferSsh2();
  const Modem = require("docker-modem") as typeof DockerModem;
  const modem = new Modem();
  return <T>(r: EngineRequest) =>
    new Promise<T>((resolve, reject) =>
      modem.dial(r as DockerModem.DialOptions, (err, data) => (err ? reject(err) : resolve(data as T))),
    );
}

export function createEngineClient(env: NodeJS.ProcessEnv = process.env): EngineClient {
  // Decided here, not at load: a gate without container probes never pays for a client.
  const endpoint = plainEndpoint(env);
  const dial = endpoint ? httpDial(endpoint) : modemDial();
  const container = (ref: string) => `/containers/${encodeURIComponent(ref)}`;
  return {
    ...(endpoint && "socketPath" in endpoint ? { socketPath: endpoint.socketPath } : {}),
    events: (filters, signal) =>
      dial({
        path: "/events?",
        method: "GET",
        options: { filters },
        isStream: true,
        statusCodes: { 200: true, 500: "server error" },
        abortSignal: signal,
      }),
    inspect: (ref, signal) =>
      dial({
        path: `${container(ref)}/json?`,
        method: "GET",
        options: {},
        statusCodes: CONTAINER_CODES,
        abortSignal: signal,
      }),
    image: (ref, signal) =>
      dial({
        path: `/images/${encodeURIComponent(ref)}/json?`,
        method: "GET",
        options: {},
        statusCodes: IMAGE_CODES,
        abortSignal: signal,
      }),
    update: async (ref, resources, signal) => {
      await dial({
        path: `${container(ref)}/update`,
        method: "POST",
        options: resources,
        statusCodes: CONTAINER_CODES,
        abortSignal: signal,
      });
    },
    logs: (ref, tail) =>
      dial({
        path: `${container(ref)}/logs?`,
        method: "GET",
        options: { stdout: true, stderr: true, follow: false, tail },
        isStream: false,
        statusCodes: CONTAINER_CODES,
      }),
    service: (ref, signal) =>
      dial({
        path: `/services/${encodeURIComponent(ref)}?`,
        method: "GET",
        options: {},
        statusCodes: SWARM_CODES,
        abortSignal: signal,
      }),
    tasks: (filters, signal) =>
      dial({ path: "/tasks?", method: "GET", options: { filters }, statusCodes: SWARM_CODES, abortSignal: signal }),
    nodes: (signal) =>
      dial({ path: "/nodes?", method: "GET", options: {}, statusCodes: SWARM_CODES, abortSignal: signal }),
    networks: (signal) =>
      dial({
        path: "/networks?",
        method: "GET",
        options: {},
        statusCodes: { 200: true, 500: "server error" },
        abortSignal: signal,
      }),
    taskLogs: (id, tail, signal) =>
      dial({
        path: `/tasks/${encodeURIComponent(id)}/logs?`,
        method: "GET",
        options: { stdout: true, stderr: true, follow: false, tail },
        isStream: false,
        statusCodes: SWARM_CODES,
        abortSignal: signal,
      }),
  };
}

/**
 * docker-modem's modem.js requires its ssh.js, and that requires ssh2, at load time; ssh.js is
 * called only for an ssh:// DOCKER_HOST. A stand-in in the require cache loads the real file on
 * that first call.
 */
function deferSsh2(): void {
  const file = require.resolve("docker-modem/lib/ssh.js");
  if (require.cache[file]) return;
  let real: ((options: unknown) => unknown) | undefined;
  const load = (): ((options: unknown) => unknown) => {
    const standIn = require.cache[file];
    delete require.cache[file];
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the real module, loaded on first use
      return require(file) as (options: unknown) => unknown;
    } finally {
      if (standIn) require.cache[file] = standIn;
    }
  };
  const standIn = new Module(file, module);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = (options: unknown) => (real ??= load())(options);
  require.cache[file] = standIn;
}
