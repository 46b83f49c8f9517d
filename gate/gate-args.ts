// The gate's command line (the contract HealthGate relies on) and its validation.
import { Command, Option } from "commander";
import {
  collect,
  DOCKER_OBJECT_NAME,
  hostPort,
  HostPort,
  minItems,
  MinItems,
  pidsLimit,
  PidsLimit,
  positiveNumber,
  wholeNumber,
} from "./arg-parsers";
import { redactUrl } from "./redact";
import { swarmService, SWARM_SERVICE_HELP, SwarmServiceTarget } from "./swarm-args";
import { ParseResult, parseWith, UsageError } from "./usage";

export interface GateOptions {
  name: string;
  timeoutSeconds: number;
  intervalMs: number;
  logLines: number;
  containers: string[];
  /** Applied to (and read back from) each container before it is watched (CIS 5.29). */
  pidsLimits: PidsLimit[];
  /** Direct readiness probes of containers: resolved URLs (env:VAR already read); they may hold passwords. */
  ready: ReadyProbe[];
  readyIntervalMs: number;
  http: string[];
  httpStatus: number;
  httpMinItems?: MinItems;
  tcp: HostPort[];
  /** Resolved connection URLs (env:VAR already read); they may hold passwords. */
  postgres: string[];
  redis: string[];
  /** Printed after a failure report: which setting to change (HealthGate names the stack file and key). */
  hint?: string;
  /** Swarm services whose every replica must run healthy (only present when given). */
  swarmServices?: SwarmServiceTarget[];
}

export interface ReadyProbe {
  container: string;
  url: string;
}

/** The schemes --ready understands; the scheme picks the protocol the probe speaks. */
export const READY_SCHEMES = ["postgres:", "postgresql:", "redis:", "rediss:", "http:", "https:"];

/** Between direct readiness attempts: short, so a ready service is seen within this much. */
export const DEFAULT_READY_INTERVAL_MS = 50;

const PROBE_FLAGS = "--container, --http, --tcp, --postgres, --redis, --swarm-service";

function gateProgram(): Command {
  const repeatable = collect((v: string) => v);
  return new Command("berth gate")
    .description("Waits until every probe passes; fails fast when one cannot pass. Prints one JSON result on stdout.")
    .requiredOption("--name <gate-name>", "gate name used in progress lines, the result and the failure report")
    .addOption(
      new Option("--timeout-seconds <n>", "time budget of the whole gate")
        .argParser(positiveNumber)
        .makeOptionMandatory(),
    )
    .option("--interval-ms <n>", "retry interval of HTTP, TCP, Postgres and Redis probes", wholeNumber(1), 200)
    .option("--log-lines <n>", "container log lines shown on failure", wholeNumber(0), 50)
    .option("--container <name-or-id>", "Docker container that must report healthy (repeatable)", repeatable)
    .option(
      "--pids-limit <container=n>",
      "set and verify a --container's pids limit before watching it (repeatable)",
      collect(pidsLimit),
    )
    .option(
      "--ready <container=url|env:VAR>",
      "a --container also counts healthy once this answers: postgres:// (SELECT 1), redis:// (PING), http:// (--http-status) (repeatable)",
      repeatable,
    )
    .option("--ready-interval-ms <n>", "retry interval of --ready probes", wholeNumber(1), DEFAULT_READY_INTERVAL_MS)
    .option("--http <url>", "URL that must answer --http-status (repeatable)", repeatable)
    .option("--http-status <code>", "status every --http probe expects", wholeNumber(100, 599), 200)
    .option(
      "--http-min-items <key=n>",
      "every --http and http --ready answer's JSON field <key> is an array of >= n items or a number >= n",
      minItems,
    )
    .option("--tcp <host:port>", "address that must accept a TCP connection (repeatable)", collect(hostPort))
    .option("--postgres <url|env:VAR>", "Postgres that must answer SELECT 1 (repeatable)", repeatable)
    .option("--redis <url|env:VAR>", "Redis that must answer PING (repeatable)", repeatable)
    .option("--swarm-service <service[=replicas]>", SWARM_SERVICE_HELP, collect(swarmService))
    .option("--hint <text>", "a line printed after a failure report, e.g. which config key to change");
}

export function parseGateArgs(argv: string[], env: NodeJS.ProcessEnv): ParseResult<GateOptions> {
  return parseWith(gateProgram(), argv, (o) => {
    const list = <T>(key: string): T[] => (o[key] as T[] | undefined) ?? [];
    const options: GateOptions = {
      name: o.name as string,
      timeoutSeconds: o.timeoutSeconds as number,
      intervalMs: o.intervalMs as number,
      logLines: o.logLines as number,
      containers: list<string>("container"),
      pidsLimits: list<PidsLimit>("pidsLimit"),
      ready: list<string>("ready").map((v) => readyProbe(v, env)),
      readyIntervalMs: o.readyIntervalMs as number,
      http: list<string>("http").map((raw) => checkUrl("--http", raw, ["http:", "https:"])),
      httpStatus: o.httpStatus as number,
      httpMinItems: o.httpMinItems as MinItems | undefined,
      tcp: list<HostPort>("tcp"),
      postgres: list<string>("postgres").map((v) =>
        checkUrl("--postgres", resolveEnv("--postgres", v, env), ["postgres:", "postgresql:"]),
      ),
      redis: list<string>("redis").map((v) =>
        checkUrl("--redis", resolveEnv("--redis", v, env), ["redis:", "rediss:"]),
      ),
      ...(o.hint === undefined ? {} : { hint: o.hint as string }),
      ...(o.swarmService === undefined ? {} : { swarmServices: o.swarmService as SwarmServiceTarget[] }),
    };
    const probeCount =
      options.containers.length +
      options.http.length +
      options.tcp.length +
      options.postgres.length +
      options.redis.length +
      (options.swarmServices?.length ?? 0);
    if (probeCount === 0) throw new UsageError(`no probe given: pass at least one of ${PROBE_FLAGS}`);
    const httpReady = options.ready.some((r) => /^https?:$/.test(new URL(r.url).protocol));
    if (options.httpMinItems && options.http.length === 0 && !httpReady)
      throw new UsageError("--http-min-items needs at least one --http probe or http(s) --ready probe");
    if (options.containers.some((c) => c.trim() === ""))
      throw new UsageError("--container needs a container name or id, got an empty value");
    const services = (options.swarmServices ?? []).map((s) => s.service);
    const twice = services.find((s, i) => services.indexOf(s) !== i);
    if (twice !== undefined) throw new UsageError(`--swarm-service ${twice} is given twice`);
    checkPerContainer(
      "--pids-limit",
      options.pidsLimits.map((p) => p.container),
      options.containers,
    );
    checkPerContainer(
      "--ready",
      options.ready.map((r) => r.container),
      options.containers,
    );
    return options;
  });
}

/** `<container>=<url|env:VAR>`; never echoes the value, which may hold a password. */
function readyProbe(raw: string, env: NodeJS.ProcessEnv): ReadyProbe {
  const at = raw.indexOf("=");
  const container = raw.slice(0, Math.max(at, 0));
  // A URL given without "<container>=" may hold "=" in its query: check the name's shape too.
  if (!DOCKER_OBJECT_NAME.test(container) || at === raw.length - 1) {
    throw new UsageError("--ready expects <container>=<url|env:VAR>, e.g. berth-test-redis=redis://127.0.0.1:6379");
  }
  const flag = `--ready ${container}`;
  return { container, url: checkUrl(flag, resolveEnv(flag, raw.slice(at + 1), env), READY_SCHEMES) };
}

/** --pids-limit and --ready qualify a --container: each names one, at most once. */
function checkPerContainer(flag: string, named: string[], containers: string[]): void {
  const seen = new Set<string>();
  for (const name of named) {
    if (!containers.includes(name))
      throw new UsageError(`${flag} names ${name}, which is not a --container of this gate`);
    if (seen.has(name)) throw new UsageError(`${flag} is given twice for ${name}`);
    seen.add(name);
  }
}

/** `env:VARNAME` reads the URL from the environment, so secrets stay off command lines. */
export function resolveEnv(flag: string, value: string, env: NodeJS.ProcessEnv): string {
  if (!value.startsWith("env:")) return value;
  const variable = value.slice("env:".length);
  const resolved = env[variable];
  if (resolved === undefined || resolved === "")
    throw new UsageError(`${flag} ${value}: environment variable ${variable} is not set`);
  return resolved;
}

/** Never echoes an unparseable value: it might be a connection string with a password. */
function checkUrl(flag: string, raw: string, schemes: string[]): string {
  const redacted = redactUrl(raw);
  const allowed = schemes.map((s) => `${s}//`).join(" or ");
  if (redacted === undefined)
    throw new UsageError(
      `${flag} expects a ${allowed} URL${flag === "--http" ? "" : " or env:VARNAME"}; the value given is not a URL`,
    );
  const scheme = new URL(raw).protocol;
  if (!schemes.includes(scheme)) throw new UsageError(`${flag} expects a ${allowed} URL, got ${redacted}`);
  return raw;
}
