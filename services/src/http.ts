// Small helpers on node:http: JSON in and out, a body size limit, a method+path router, and a
// shutdown that lets requests in progress finish.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Logger } from "./log";
import { errorMessage } from "./log";

/** An error whose message is safe to show to the client as {"error": message}. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Reads and parses a JSON body of at most `maxBytes`; 413 beyond, 400 when it is not JSON. The
 * rest of an oversized body is read and dropped, not refused: closing the connection on a client
 * that is still sending makes it fail with EPIPE/ECONNRESET instead of reading the 413.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new HttpError(413, `request body exceeds ${maxBytes} bytes`);
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge();
  }
  const body = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      // Stop collecting, keep draining.
      req.off("data", onData);
      req.resume();
      reject(tooLarge());
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void>;
export interface Route {
  method: string;
  path: RegExp;
  handle: RouteHandler;
}

/** Matches method and path; 404 for an unknown path, 405 (with Allow) for a wrong method. */
export function createRouter(routes: Route[], log: Logger): http.RequestListener {
  return (req, res) => {
    const started = Date.now();
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const matching = routes.map((r) => ({ r, m: r.path.exec(path) })).filter((x) => x.m !== null);
    const found = matching.find((x) => x.r.method === req.method);
    const run = async () => {
      if (!found) {
        if (matching.length === 0) throw new HttpError(404, `no route for ${req.method} ${path}`);
        const allow = matching.map((x) => x.r.method).join(", ");
        throw new HttpError(405, `method ${req.method} is not allowed on ${path} (allowed: ${allow})`, { allow });
      }
      let params: string[];
      try {
        params = found.m!.slice(1).map((p) => decodeURIComponent(p));
      } catch {
        throw new HttpError(400, `malformed path ${path}`);
      }
      await found.r.handle(req, res, params);
    };
    run()
      .catch((error: unknown) => {
        if (error instanceof HttpError) {
          sendJson(res, error.status, { error: error.message }, error.headers);
        } else {
          log.error("request failed", { method: req.method, path, error: errorMessage(error) });
          if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
          else res.destroy();
        }
      })
      .finally(() =>
        log.debug("request", { method: req.method, path, status: res.statusCode, ms: Date.now() - started }),
      );
  };
}

export async function listen(server: http.Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Stops accepting connections and waits for requests in progress. */
export async function closeServer(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
}
