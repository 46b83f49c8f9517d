// Runs the compiled workload (services/dist) as child processes and talks to it over HTTP.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

export const SERVICES = resolve(__dirname, "../../services");
export type Entry = "orchestrator" | "worker" | "healthcheck";

export function entryPath(entry: Entry): string {
  return join(SERVICES, "dist", `${entry}.js`);
}

/** Builds services/dist when it is missing or older than a source file (tests/run.sh does too). */
export function ensureServicesBuilt(): void {
  const newestSource = Math.max(
    ...readdirSync(join(SERVICES, "src")).map((f) => statSync(join(SERVICES, "src", f)).mtimeMs),
    statSync(join(SERVICES, "package-lock.json")).mtimeMs,
  );
  const built = (["orchestrator", "worker", "healthcheck"] as const).map(entryPath);
  if (built.every((f) => existsSync(f) && statSync(f).mtimeMs >= newestSource)) return;
  if (!existsSync(join(SERVICES, "node_modules")))
    execFileSync("npm", ["--prefix", SERVICES, "ci", "--no-audit", "--no-fund"], { stdio: "ignore" });
  execFileSync("npm", ["--prefix", SERVICES, "run", "build"], { stdio: ["ignore", "ignore", "inherit"] });
}

export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running entry point with its output collected line by line. */
export class ServiceProcess {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<Exit>;
  exit?: Exit;

  constructor(
    readonly entry: Entry,
    readonly child: ChildProcess,
  ) {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const parts = out.split("\n");
      out = parts.pop()!;
      this.lines.push(...parts);
    });
    child.stderr!.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString("utf8")));
    this.exited = new Promise((r) =>
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        r(this.exit);
      }),
    );
  }

  /** The JSON log records written so far. */
  logs(): Array<Record<string, unknown>> {
    return this.lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async waitForLog(msg: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return waitFor(`log "${msg}" from ${this.entry}`, timeoutMs, async () => this.logs().find((l) => l.msg === msg));
  }

  output(): string {
    return `--- ${this.entry} stdout ---\n${this.lines.join("\n")}\n--- stderr ---\n${this.stderr.join("")}`;
  }

  async signal(signal: NodeJS.Signals): Promise<Exit> {
    if (!this.exit) this.child.kill(signal);
    return this.exited;
  }
}

const running = new Set<ServiceProcess>();

/** Starts `node services/dist/<entry>.js` with exactly `env` (plus PATH). */
export function startService(entry: Entry, env: Record<string, string>, args: string[] = []): ServiceProcess {
  const child = spawn(process.execPath, [entryPath(entry), ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const service = new ServiceProcess(entry, child);
  running.add(service);
  void service.exited.then(() => running.delete(service));
  return service;
}

/** SIGKILLs every process these helpers started that still runs (for afterEach). */
export async function killAllServices(): Promise<void> {
  await Promise.all([...running].map((s) => s.signal("SIGKILL")));
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any;
}

export async function request(method: string, url: string, body?: string): Promise<JsonResponse> {
  const res = await fetch(url, {
    method,
    body,
    headers: body === undefined ? {} : { "content-type": "application/json" },
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the assertion message
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Waits until GET <url>/health answers 200; fails early (with its output) when the process exits. */
export async function waitHealthy(service: ServiceProcess, port: number, timeoutMs = 15_000): Promise<JsonResponse> {
  try {
    return await waitFor(`${service.entry} /health on port ${port}`, timeoutMs, async () => {
      if (service.exit) throw new Error(`${service.entry} exited ${JSON.stringify(service.exit)}`);
      const res = await request("GET", `http://127.0.0.1:${port}/health`);
      return res.status === 200 ? res : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${service.output()}`, { cause: error });
  }
}
