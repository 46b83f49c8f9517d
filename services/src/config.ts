// Configuration comes only from the environment, validated once at start. Every problem is
// reported at once, each line naming the variable and what it allows; values of URL variables are
// never echoed because they usually carry a password.
import * as z from "zod";

export type Role = "orchestrator" | "worker";
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface CommonConfig {
  databaseUrl: string;
  redisUrl: string;
  /** Prefix of every Redis key, so several environments (or tests) can share one Redis. */
  redisKeyPrefix: string;
  logLevel: LogLevel;
  namespaces: string[];
  heartbeatIntervalMs: number;
  heartbeatTtlMs: number;
}
export interface OrchestratorConfig extends CommonConfig {
  port: number;
  maxBodyBytes: number;
}
export interface WorkerConfig extends CommonConfig {
  workerId: string;
  port: number;
}

export type Env = Record<string, string | undefined>;

/** Names used inside Redis keys: no ":" so that keys stay unambiguous. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NAME_RULE = `letters, digits, ".", "_" and "-" (starting with a letter or digit, at most 64 characters)`;

// Docker and Compose often pass an empty string for "unset"; treat it as unset.
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

function required(inner: z.ZodType<string, string>, whatIsRequired: string) {
  return z.preprocess(blankToUndefined, z.string({ error: `is required: ${whatIsRequired}` }).pipe(inner));
}

function optional<T>(inner: z.ZodType<T, string>, fallback: T) {
  return z.preprocess(blankToUndefined, inner.optional()).transform((v) => v ?? fallback);
}

function integer(min: number, max: number) {
  const rule = `must be an integer from ${min} to ${max}`;
  return z.string().trim().regex(/^\d+$/, rule).transform(Number).pipe(z.number().min(min, rule).max(max, rule));
}

function url(protocols: string[], kind: string) {
  const rule = `must be a ${kind} URL (${protocols.map((p) => `${p}//`).join(" or ")})`;
  return z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, rule);
}

const namespaces = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ])
  .refine(
    (list) => list.length > 0 && list.every((n) => NAME_PATTERN.test(n)),
    `must be a comma-separated list of names made of ${NAME_RULE}`,
  );

const common = {
  DATABASE_URL: required(
    url(["postgres:", "postgresql:"], "PostgreSQL"),
    "a PostgreSQL URL such as postgres://user:password@host:5432/database",
  ),
  REDIS_URL: required(url(["redis:", "rediss:"], "Redis"), "a Redis URL such as redis://host:6379/0"),
  REDIS_KEY_PREFIX: optional(
    z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/, `must be 1 to 64 letters, digits, ":", "_", "." or "-"`),
    "berth:",
  ),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }), "info" as LogLevel),
  NAMESPACES: optional(namespaces, ["default"]),
  HEARTBEAT_INTERVAL_MS: optional(integer(10, 600_000), 2000),
  HEARTBEAT_TTL_MS: optional(integer(50, 3_600_000), 5000),
};

const schemas = {
  orchestrator: z.object({
    ...common,
    ORCHESTRATOR_PORT: optional(integer(1, 65535), 8080),
    MAX_BODY_BYTES: optional(integer(1, 104_857_600), 65536),
  }),
  worker: z.object({
    ...common,
    WORKER_ID: required(
      z.string().trim().regex(NAME_PATTERN, `must be made of ${NAME_RULE}`),
      `a unique name for this worker, made of ${NAME_RULE}`,
    ),
    WORKER_PORT: optional(integer(1, 65535), 8081),
  }),
};

const SECRET_VARIABLES = new Set(["DATABASE_URL", "REDIS_URL"]);

export class ConfigError extends Error {
  constructor(
    readonly role: Role,
    readonly problems: string[],
  ) {
    super(
      `${role}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

function describe(env: Env, issue: z.core.$ZodIssue): string {
  const variable = String(issue.path[0]);
  const given = env[variable];
  const shown =
    given === undefined || given.trim() === "" || SECRET_VARIABLES.has(variable)
      ? ""
      : ` (got ${JSON.stringify(given)})`;
  return `${variable} ${issue.message}${shown}`;
}

function toCommon(d: z.infer<(typeof schemas)["worker"]> | z.infer<(typeof schemas)["orchestrator"]>): CommonConfig {
  return {
    databaseUrl: d.DATABASE_URL,
    redisUrl: d.REDIS_URL,
    redisKeyPrefix: d.REDIS_KEY_PREFIX,
    logLevel: d.LOG_LEVEL,
    namespaces: d.NAMESPACES,
    heartbeatIntervalMs: d.HEARTBEAT_INTERVAL_MS,
    heartbeatTtlMs: d.HEARTBEAT_TTL_MS,
  };
}

const heartbeats = z.object({
  HEARTBEAT_INTERVAL_MS: common.HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TTL_MS: common.HEARTBEAT_TTL_MS,
});

/** All problems at once: the per-variable ones and the cross-variable one. */
function parse<S extends z.ZodObject, T>(role: Role, schema: S, env: Env, build: (data: z.infer<S>) => T): T {
  const parsed = schema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => describe(env, issue));
  // The TTL must leave room for at least one missed beat, or live workers would be reaped.
  const beats = heartbeats.safeParse(env);
  if (beats.success && beats.data.HEARTBEAT_TTL_MS <= beats.data.HEARTBEAT_INTERVAL_MS) {
    problems.push(
      `HEARTBEAT_TTL_MS must be greater than HEARTBEAT_INTERVAL_MS (${beats.data.HEARTBEAT_INTERVAL_MS}) (got "${beats.data.HEARTBEAT_TTL_MS}")`,
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(role, problems);
  return build(parsed.data);
}

export function parseOrchestratorConfig(env: Env): OrchestratorConfig {
  return parse("orchestrator", schemas.orchestrator, env, (d) => ({
    ...toCommon(d),
    port: d.ORCHESTRATOR_PORT,
    maxBodyBytes: d.MAX_BODY_BYTES,
  }));
}

export function parseWorkerConfig(env: Env): WorkerConfig {
  return parse("worker", schemas.worker, env, (d) => ({ ...toCommon(d), workerId: d.WORKER_ID, port: d.WORKER_PORT }));
}

/** Parses or prints the problems (no stack trace) and exits 1. */
export function loadConfigOrExit<T>(parse: (env: Env) => T): T {
  try {
    return parse(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
