// Stack configuration: one zod schema, per-environment defaults, normalised settings.
// Everything under the `berth:` namespace of a stack file is checked here before any resource
// is registered; every problem is reported at once (see config-errors.ts).
import { z } from "zod";
import { isImageRef, ImageStackName, resolveImage, ResolvedImage } from "../environment/images";
import { ConfigError, describeIssues, ConfigProblem } from "./errors";
export { ConfigError };

export const ENVIRONMENTS = ["test", "dev", "prod"] as const;
export type EnvironmentType = (typeof ENVIRONMENTS)[number];
export const SERVICES = ["postgres", "redis", "orchestrator", "workers"] as const;
export type ServiceName = (typeof SERVICES)[number];
export const TIERS = ["data", "orchestrator", "workers"] as const;
export type TierName = (typeof TIERS)[number];

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const cpus = z.number().min(0.05).max(64);
const imageRef = z.string().refine(isImageRef, { message: "a Docker image reference such as postgres:16-alpine or registry:5000/team/app:1.2" });
const port = int(1, 65535);
const namespaceName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: "lower-case letters, digits, _ and -, at most 63 characters" });
// Docker duration strings are built from these, so sub-millisecond values are meaningless.
const tier = z.strictObject({
  intervalMs: int(10, 600_000).optional(),
  timeoutMs: int(10, 600_000).optional(),
  startPeriodMs: int(0, 3_600_000).optional(),
  retries: int(1, 100).optional(),
  gateTimeoutSeconds: int(1, 3600).optional(),
});
const hardening = z.strictObject({
  readOnly: z.boolean().optional(),
  noNewPrivileges: z.boolean().optional(),
  capAdd: z.array(z.string().regex(/^[A-Z_]+$/, { message: "a capability name such as NET_BIND_SERVICE" })).optional(),
  pidsLimit: int(16, 65536).optional(),
  user: z.string().regex(/^[0-9]+(:[0-9]+)?$/, { message: 'a numeric "uid:gid" such as "1000:1000"' }).optional(),
  maxRetryCount: int(1, 5).optional(),
});

/** The schema of everything under `berth:` in a stack file. */
export const configSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS),
  useAlpine: z.boolean().optional(),
  registryPrefix: z
    .string()
    .regex(/^[a-zA-Z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*\/?$/, { message: 'a registry host with optional path, such as "mirror.internal:5000/hub"' })
    .optional(),
  images: z.strictObject({ postgres: imageRef.optional(), redis: imageRef.optional(), app: imageRef.optional() }).optional(),
  postgres: z
    .strictObject({
      database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: "a lower-case SQL identifier" }).optional(),
      user: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: "a lower-case SQL identifier" }).optional(),
      memoryMb: int(64, 262_144).optional(),
      cpus: cpus.optional(),
      tmpfsSizeMb: int(16, 262_144).optional(),
      sharedBuffersMb: int(1, 131_072).optional(),
      durable: z.boolean().optional(),
    })
    .optional(),
  redis: z
    .strictObject({
      memoryMb: int(16, 262_144).optional(),
      cpus: cpus.optional(),
      maxmemoryMb: int(1, 262_144).optional(),
      maxmemoryPolicy: z.enum(["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]).optional(),
      persistence: z.boolean().optional(),
    })
    .optional(),
  orchestrator: z.strictObject({ memoryMb: int(32, 262_144).optional(), cpus: cpus.optional() }).optional(),
  workers: z
    .strictObject({
      replicas: int(0, 500).optional(),
      namespaces: z.union([z.array(namespaceName).min(1), z.array(z.array(namespaceName).min(1)).min(1)]).optional(),
      memoryMb: int(32, 262_144).optional(),
      cpus: cpus.optional(),
      dockerSocket: z.boolean().optional(),
    })
    .optional(),
  ports: z
    .strictObject({
      publish: z.enum(["auto", "fixed", "range", "none"]).optional(),
      hostIp: z.string().regex(/^[0-9.]+$|^[0-9a-fA-F:]+$/, { message: "an IP address such as 127.0.0.1" }).optional(),
      range: z.string().regex(/^[0-9]{4,5}-[0-9]{4,5}$/, { message: 'a range "from-to" such as "41000-41099"' }).optional(),
      postgres: port.optional(),
      redis: port.optional(),
      orchestrator: port.optional(),
    })
    .optional(),
  tiers: z.strictObject({ data: tier.optional(), orchestrator: tier.optional(), workers: tier.optional() }).optional(),
  hardening: z
    .strictObject({ postgres: hardening.optional(), redis: hardening.optional(), orchestrator: hardening.optional(), workers: hardening.optional() })
    .optional(),
  docker: z
    .strictObject({
      host: z.string().regex(/^(unix|tcp|ssh|npipe):\/\/\S+$/, { message: "an engine address such as unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host" }).optional(),
    })
    .optional(),
  network: z.strictObject({ internal: z.boolean().optional() }).optional(),
});
export type RawConfig = z.infer<typeof configSchema>;

export interface TierSettings {
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
  gateTimeoutSeconds: number;
}
export interface HardeningSettings {
  readOnly: boolean;
  noNewPrivileges: boolean;
  capAdd: string[];
  pidsLimit: number;
  maxRetryCount: number;
  /** "uid:gid"; undefined means the image stack's user for that service. */
  user?: string;
}
export type PortPlan = Record<"postgres" | "redis" | "orchestrator", number | undefined>;

/** Normalised settings: every default applied, every cross-field rule checked. */
export interface Settings {
  environment: EnvironmentType;
  imageStack: ImageStackName;
  images: { postgres: ResolvedImage; redis: ResolvedImage; app: ResolvedImage };
  postgres: { database: string; user: string; memoryMb: number; cpus: number; tmpfsSizeMb: number; sharedBuffersMb: number; durable: boolean };
  redis: { memoryMb: number; cpus: number; maxmemoryMb: number; maxmemoryPolicy: string; persistence: boolean };
  orchestrator: { memoryMb: number; cpus: number };
  workers: { replicas: number; namespaces: string[][]; memoryMb: number; cpus: number; dockerSocket: boolean };
  ports: { publish: "auto" | "fixed" | "range" | "none"; hostIp: string; hostPorts: PortPlan };
  tiers: Record<TierName, TierSettings>;
  hardening: Record<ServiceName, HardeningSettings>;
  docker: { host?: string };
  network: { internal: boolean };
}

// Every probe is a `docker exec` (~55 ms of CPU): at 200 ms an idle 2-worker stack kept 70% of
// a 2-core machine busy and slowed its own bring-up; 500 ms was faster in 6 of 6 paired runs
// (bench/RESULTS.md). The start period only forgives failures: it does not delay the first probe.
const FAST_TIER: TierSettings = { intervalMs: 500, timeoutMs: 2000, startPeriodMs: 20_000, retries: 3, gateTimeoutSeconds: 90 };
const CALM_TIER: TierSettings = { intervalMs: 5000, timeoutMs: 3000, startPeriodMs: 30_000, retries: 5, gateTimeoutSeconds: 300 };

/** Per-environment defaults: test is tuned for speed and throw-away data, dev/prod for durability. */
export function defaultsFor(environment: EnvironmentType) {
  const test = environment === "test";
  return {
    useAlpine: test,
    postgres: { database: "berth", user: "berth", memoryMb: test ? 512 : 1024, cpus: 1, tmpfsSizeMb: 256, sharedBuffersMb: test ? 64 : 256, durable: !test },
    redis: { memoryMb: test ? 128 : 512, cpus: 0.5, maxmemoryMb: test ? 64 : 256, maxmemoryPolicy: test ? "allkeys-lru" : "noeviction", persistence: !test },
    orchestrator: { memoryMb: 256, cpus: 0.5 },
    workers: { replicas: test ? 2 : environment === "dev" ? 2 : 3, namespaces: ["default"], memoryMb: 256, cpus: 0.5, dockerSocket: false },
    ports: { publish: (test ? "auto" : "fixed") as Settings["ports"]["publish"], hostIp: "127.0.0.1", postgres: 5432, redis: 6379, orchestrator: 8080 },
    tier: test ? FAST_TIER : CALM_TIER,
    hardening: { readOnly: true, noNewPrivileges: true, capAdd: [] as string[], pidsLimit: 256, maxRetryCount: 3 },
  };
}

/** What each service needs at the least, in MB of memory limit. */
export const MIN_MEMORY_MB: Record<ServiceName, number> = { postgres: 128, redis: 32, orchestrator: 64, workers: 64 };

/** Cross-field rules that the schema alone cannot express. */
function crossFieldProblems(s: Settings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const needPg = Math.max(MIN_MEMORY_MB.postgres, s.postgres.sharedBuffersMb + 96);
  if (s.postgres.memoryMb < needPg) {
    problems.push({ path: ["postgres", "memoryMb"], given: s.postgres.memoryMb, allowed: `at least ${needPg} (shared buffers ${s.postgres.sharedBuffersMb} MB + 96 MB for connections and work memory)` });
  }
  const needRedis = Math.max(MIN_MEMORY_MB.redis, s.redis.maxmemoryMb + 16);
  if (s.redis.memoryMb < needRedis) {
    problems.push({ path: ["redis", "memoryMb"], given: s.redis.memoryMb, allowed: `at least ${needRedis} (maxmemory ${s.redis.maxmemoryMb} MB + 16 MB overhead)` });
  }
  for (const svc of ["orchestrator", "workers"] as const) {
    if (s[svc].memoryMb < MIN_MEMORY_MB[svc]) problems.push({ path: [svc, "memoryMb"], given: s[svc].memoryMb, allowed: `at least ${MIN_MEMORY_MB[svc]}` });
  }
  const perReplica = s.workers.namespaces;
  if (perReplica.length !== s.workers.replicas && perReplica.length !== 1) {
    problems.push({ path: ["workers", "namespaces"], given: `${perReplica.length} lists`, allowed: `one list per replica (${s.workers.replicas}) or a single list of names for every replica` });
  }
  if (s.ports.publish === "range" && s.ports.hostPorts.postgres === undefined) {
    problems.push({ path: ["ports", "range"], given: "nothing", allowed: 'a range "from-to" of at least 3 ports when ports.publish is "range"' });
  }
  if (s.network.internal && s.ports.publish !== "none") {
    problems.push({ path: ["ports", "publish"], given: s.ports.publish, allowed: '"none" when network.internal is true (an internal network cannot publish host ports)' });
  }
  return problems;
}

/** Host ports from a "from-to" range: postgres, redis, orchestrator take the first three. */
export function portsFromRange(range: string): PortPlan | undefined {
  const [from, to] = range.split("-").map(Number);
  if (!(from >= 1024 && to <= 65535 && to - from + 1 >= 3)) return undefined;
  return { postgres: from, redis: from + 1, orchestrator: from + 2 };
}

function portPlan(raw: RawConfig["ports"], d: ReturnType<typeof defaultsFor>["ports"], publish: Settings["ports"]["publish"]): PortPlan {
  switch (publish) {
    case "fixed":
      return { postgres: raw?.postgres ?? d.postgres, redis: raw?.redis ?? d.redis, orchestrator: raw?.orchestrator ?? d.orchestrator };
    case "range":
      return portsFromRange(raw?.range ?? "") ?? { postgres: undefined, redis: undefined, orchestrator: undefined };
    default:
      return { postgres: undefined, redis: undefined, orchestrator: undefined };
  }
}

/** Applies the environment's defaults to validated raw config and checks the cross-field rules. */
export function normalise(raw: RawConfig): { settings: Settings; problems: ConfigProblem[] } {
  const d = defaultsFor(raw.environment);
  const useAlpine = raw.useAlpine ?? d.useAlpine;
  const imageStack: ImageStackName = useAlpine ? "alpine" : "regular";
  const publish = raw.ports?.publish ?? (raw.network?.internal ? "none" : d.ports.publish);
  const replicas = raw.workers?.replicas ?? d.workers.replicas;
  const namespaces = raw.workers?.namespaces ?? d.workers.namespaces;
  const perReplica: string[][] = typeof namespaces[0] === "string" ? [namespaces as string[]] : (namespaces as string[][]);
  const tierOf = (t: TierName): TierSettings => ({ ...d.tier, ...stripUndefined(raw.tiers?.[t] ?? {}) });
  const hardeningOf = (svc: ServiceName): HardeningSettings => ({ ...d.hardening, ...stripUndefined(raw.hardening?.[svc] ?? {}) });
  const settings: Settings = {
    environment: raw.environment,
    imageStack,
    images: {
      postgres: resolveImage(imageStack, "postgres", raw.images?.postgres, raw.registryPrefix),
      redis: resolveImage(imageStack, "redis", raw.images?.redis, raw.registryPrefix),
      app: resolveImage(imageStack, "app", raw.images?.app, raw.registryPrefix),
    },
    postgres: { ...d.postgres, ...stripUndefined(raw.postgres ?? {}) },
    redis: { ...d.redis, ...stripUndefined(raw.redis ?? {}) },
    orchestrator: { ...d.orchestrator, ...stripUndefined(raw.orchestrator ?? {}) },
    workers: { ...d.workers, ...stripUndefined(raw.workers ?? {}), replicas, namespaces: perReplica },
    ports: { publish, hostIp: raw.ports?.hostIp ?? d.ports.hostIp, hostPorts: portPlan(raw.ports, d.ports, publish) },
    tiers: { data: tierOf("data"), orchestrator: tierOf("orchestrator"), workers: tierOf("workers") },
    hardening: { postgres: hardeningOf("postgres"), redis: hardeningOf("redis"), orchestrator: hardeningOf("orchestrator"), workers: hardeningOf("workers") },
    docker: { host: raw.docker?.host },
    network: { internal: raw.network?.internal ?? false },
  };
  return { settings, problems: crossFieldProblems(settings) };
}

/** The namespaces replica `index` serves. */
export function namespacesOf(settings: Settings, index: number): string[] {
  const lists = settings.workers.namespaces;
  return lists.length === 1 ? lists[0] : lists[index];
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every key that may stand under `berth:` (the secret lives apart from the plain objects). */
export const SECRET_KEYS = ["postgresPassword"] as const;

/**
 * Validates the `berth:` values of one stack. `values` maps a key without its namespace to its value
 * as the stack file holds it (objects already parsed). Throws one ConfigError listing every problem.
 */
export function parseStackConfig(values: Record<string, unknown>, stackFile: string, secretKeys: ReadonlySet<string> = new Set()): Settings {
  const plain = Object.fromEntries(Object.entries(values).filter(([k]) => !(SECRET_KEYS as readonly string[]).includes(k)));
  const problems: ConfigProblem[] = [];
  for (const key of SECRET_KEYS) {
    if (values[key] !== undefined && !secretKeys.has(key)) {
      problems.push({ path: [key], given: "a plain-text value", allowed: `a secret: run \`pulumi config set --secret ${key} <value>\``, secret: true });
    }
  }
  const parsed = configSchema.safeParse(plain);
  if (!parsed.success) {
    throw new ConfigError(stackFile, [...problems, ...describeIssues(parsed.error.issues, plain, configSchema)]);
  }
  const { settings, problems: crossField } = normalise(parsed.data);
  problems.push(...crossField);
  if (problems.length > 0) throw new ConfigError(stackFile, problems);
  return settings;
}
