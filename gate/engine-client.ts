// The Engine API calls the gate tools make, on docker-modem: the transport dockerode is built on,
// which reads DOCKER_HOST (unix://, tcp://, ssh://, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) like the
// docker CLI. Loading dockerode itself costs ~100 ms before the first request (its BuildKit
// session code pulls in gRPC and protobuf), and docker-modem requires ssh2 (~30 ms) even for a
// local socket; the gate's latency and start-up are on every tier's critical path, so neither is
// loaded unless needed (ssh2 only for an ssh:// DOCKER_HOST).
import Module from "node:module";
import type { ContainerInspectInfo, ImageInspectInfo } from "dockerode";
import type DockerModem from "docker-modem";

export interface EngineClient {
  /** The transport, for engineAddress() and demultiplexing log frames. */
  readonly modem: DockerModem;
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
  /** The last `tail` log lines of a swarm task, as the manager frames them. */
  taskLogs(id: string, tail: number, signal?: AbortSignal): Promise<Buffer>;
}

const CONTAINER_CODES = { 200: true, 204: true, 400: "bad parameter", 404: "no such container", 500: "server error" };
const IMAGE_CODES = { 200: true, 404: "no such image", 500: "server error" };
const SWARM_CODES = { 200: true, 400: "bad parameter", 404: "no such service or task", 500: "server error", 503: "node is not part of a swarm" };

export function createEngineClient(): EngineClient {
  deferSsh2();
  // Loaded here, not at the top: a gate without container probes never pays for it.
  const Modem = require("docker-modem") as typeof DockerModem;
  const modem = new Modem();
  const dial = <T>(options: DockerModem.DialOptions): Promise<T> =>
    new Promise((resolve, reject) => modem.dial(options, (err, data) => (err ? reject(err) : resolve(data as T))));
  const container = (ref: string) => `/containers/${encodeURIComponent(ref)}`;
  return {
    modem,
    events: (filters, signal) =>
      dial({ path: "/events?", method: "GET", options: { filters }, isStream: true, statusCodes: { 200: true, 500: "server error" }, abortSignal: signal }),
    inspect: (ref, signal) => dial({ path: `${container(ref)}/json?`, method: "GET", options: {}, statusCodes: CONTAINER_CODES, abortSignal: signal }),
    image: (ref, signal) => dial({ path: `/images/${encodeURIComponent(ref)}/json?`, method: "GET", options: {}, statusCodes: IMAGE_CODES, abortSignal: signal }),
    update: async (ref, resources, signal) => {
      await dial({ path: `${container(ref)}/update`, method: "POST", options: resources, statusCodes: CONTAINER_CODES, abortSignal: signal });
    },
    logs: (ref, tail) =>
      dial({ path: `${container(ref)}/logs?`, method: "GET", options: { stdout: true, stderr: true, follow: false, tail }, isStream: false, statusCodes: CONTAINER_CODES }),
    service: (ref, signal) => dial({ path: `/services/${encodeURIComponent(ref)}?`, method: "GET", options: {}, statusCodes: SWARM_CODES, abortSignal: signal }),
    tasks: (filters, signal) => dial({ path: "/tasks?", method: "GET", options: { filters }, statusCodes: SWARM_CODES, abortSignal: signal }),
    nodes: (signal) => dial({ path: "/nodes?", method: "GET", options: {}, statusCodes: SWARM_CODES, abortSignal: signal }),
    taskLogs: (id, tail, signal) =>
      dial({ path: `/tasks/${encodeURIComponent(id)}/logs?`, method: "GET", options: { stdout: true, stderr: true, follow: false, tail }, isStream: false, statusCodes: SWARM_CODES, abortSignal: signal }),
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
