// Stack configuration: the schema of everything under `berth:`, composed from the fragments each
// service owns (its keys, per-environment defaults and cross-field rules live beside the service),
// and the normalised settings the program builds the environment from. Every problem is reported
// at once, schema and cross-field alike (see errors.ts).
import { z } from "zod";
import { DEFAULT_HARDENING, Hardening, hardeningSchema } from "../container/settings";
import { engineSchema } from "./engine";
import { imageSchema, imageStackOf, ImageStackName, resolveImage, ResolvedImage, useAlpineDefault } from "../images";
import { PortSettings, portSettings, portsDefaults, portsProblems, portsSchema } from "../ports";
import { TierName, TIERS, tierDefaults, tierProblems, tierSchema, TierSettings, tierSettings } from "./tiers";
import { postgresDefaults, postgresProblems, postgresSchema, PostgresSettings } from "../postgres/settings";
import { redisDefaults, redisProblems, redisSchema, RedisSettings } from "../redis/settings";
import {
  orchestratorDefaults,
  orchestratorProblems,
  orchestratorSchema,
  OrchestratorSettings,
  workersDefaults,
  workersProblems,
  workersSchema,
  WorkersSettings,
  workersSettings,
} from "../workload/settings";
import {
  ClusterMode,
  clusterDefaults,
  clusterProblems,
  clusterSchema,
  SwarmSettings,
} from "../workload/swarm-settings";
import { DEFAULT_SUBNET_POOL, DEFAULT_SUBNET_PREFIX_LENGTH, subnetSettingsProblems } from "../subnets";
import { ConfigError, ConfigProblem, describeIssues, within } from "../problems";
import { Assert, ENVIRONMENTS, EnvironmentType, given, Same } from "../fields";
export { ConfigError };

/** The services of an Environment that the stack config configures (berth:hardening.<service>). */
export type ServiceName = "postgres" | "redis" | "orchestrator" | "workers";
export const SERVICES = ["postgres", "redis", "orchestrator", "workers"] as const;
export type ServicesListed = Assert<Same<(typeof SERVICES)[number], ServiceName>>;

/** The schema of everything under `berth:` in a stack file (the secret lives apart, see SECRET_KEYS). */
export const configSchema = z.strictObject({
  environment: z.enum(ENVIRONMENTS).describe("picks every default below: test, dev or prod (required)"),
  ...imageSchema,
  postgres: postgresSchema.optional(),
  redis: redisSchema.optional(),
  orchestrator: orchestratorSchema.optional(),
  workers: workersSchema.optional(),
  ...clusterSchema,
  ports: portsSchema.optional(),
  tiers: z
    .strictObject({ data: tierSchema.optional(), orchestrator: tierSchema.optional(), workers: tierSchema.optional() })
    .optional(),
  hardening: z
    .strictObject({
      postgres: hardeningSchema.optional(),
      redis: hardeningSchema.optional(),
      orchestrator: hardeningSchema.optional(),
      workers: hardeningSchema.optional(),
    })
    .optional(),
  ...engineSchema,
});
export type RawConfig = z.infer<typeof configSchema>;

/** Keys that must be Pulumi secrets; they are read apart from the schema above. */
export const SECRET_KEYS = ["postgresPassword"] as const;
export const SECRET_KEY_DESCRIPTIONS: Record<(typeof SECRET_KEYS)[number], string> = {
  postgresPassword:
    "Postgres password (`pulumi config set --secret postgresPassword …`); unset: a random password generated once per stack",
};

/** Normalised settings: every default applied, every cross-field rule checked. */
export interface Settings {
  environment: EnvironmentType;
  imageStack: ImageStackName;
  images: { postgres: ResolvedImage; redis: ResolvedImage; app: ResolvedImage };
  postgres: PostgresSettings;
  redis: RedisSettings;
  orchestrator: OrchestratorSettings;
  workers: WorkersSettings;
  /** none: one engine; swarm: the workers as a service of the swarm docker.host manages. */
  cluster: ClusterMode;
  swarm: SwarmSettings;
  ports: PortSettings;
  tiers: Record<TierName, TierSettings>;
  hardening: Record<ServiceName, Hardening>;
  docker: { host?: string };
  /** The stack's bridge: internal or not, and where its subnet is picked from. */
  network: { internal: boolean; subnetPool: string; subnetPrefixLength: number };
}

/**
 * Every default of one environment type, in the shape of the stack file: what a key holds when
 * the stack file leaves it out. README's configuration table is generated from this and the schema.
 */
export function defaultsFor(environment: EnvironmentType, published = true, swarm = false) {
  return {
    useAlpine: useAlpineDefault(environment),
    postgres: postgresDefaults(environment),
    redis: redisDefaults(environment),
    orchestrator: orchestratorDefaults(environment),
    workers: workersDefaults(environment),
    ...clusterDefaults(environment),
    ports: portsDefaults(environment),
    // A swarm's workers gate waits for the tasks' Docker health: that check stays fast.
    tiers: Object.fromEntries(
      TIERS.map((t) => [t, tierDefaults(environment, published && !(swarm && t === "workers"))]),
    ) as Record<TierName, ReturnType<typeof tierDefaults>>,
    hardening: Object.fromEntries(SERVICES.map((s) => [s, { ...DEFAULT_HARDENING }])) as Record<ServiceName, Hardening>,
    network: { internal: false, subnetPool: DEFAULT_SUBNET_POOL, subnetPrefixLength: DEFAULT_SUBNET_PREFIX_LENGTH },
  };
}

/** Applies the environment's defaults to validated raw config and checks the cross-field rules. */
export function normalise(raw: RawConfig): { settings: Settings; problems: ConfigProblem[] } {
  const base = defaultsFor(raw.environment);
  const internal = raw.network?.internal ?? base.network.internal;
  // An internal network cannot publish: unless told otherwise, it publishes nothing.
  const publishDefault = internal ? "none" : base.ports.publish;
  // Without published ports the gates wait for Docker's healthchecks, which then stay fast.
  const d = defaultsFor(
    raw.environment,
    (raw.ports?.publish ?? publishDefault) !== "none",
    (raw.cluster ?? base.cluster) === "swarm",
  );
  const imageStack = imageStackOf(raw.useAlpine ?? d.useAlpine);
  const settings: Settings = {
    environment: raw.environment,
    imageStack,
    images: {
      postgres: resolveImage(imageStack, "postgres", raw.images?.postgres, raw.registryPrefix),
      redis: resolveImage(imageStack, "redis", raw.images?.redis, raw.registryPrefix),
      app: resolveImage(imageStack, "app", raw.images?.app, raw.registryPrefix),
    },
    postgres: { ...d.postgres, ...given(raw.postgres) },
    redis: { ...d.redis, ...given(raw.redis) },
    orchestrator: { ...d.orchestrator, ...given(raw.orchestrator) },
    workers: workersSettings({ ...d.workers, ...given(raw.workers) }),
    cluster: raw.cluster ?? d.cluster,
    swarm: { ...d.swarm, ...given(raw.swarm) },
    ports: portSettings({ ...d.ports, publish: publishDefault, ...given(raw.ports) }),
    tiers: Object.fromEntries(
      TIERS.map((t) => [t, tierSettings({ ...d.tiers[t], ...given(raw.tiers?.[t]) })]),
    ) as Record<TierName, TierSettings>,
    hardening: Object.fromEntries(
      SERVICES.map((s) => [s, { ...d.hardening[s], ...given(raw.hardening?.[s]) }]),
    ) as Record<ServiceName, Hardening>,
    docker: { host: raw.docker?.host },
    network: { ...d.network, ...given(raw.network), internal },
  };
  const problems = [
    ...within(["postgres"], postgresProblems(settings.postgres, raw.postgres)),
    ...within(["redis"], redisProblems(settings.redis)),
    ...within(["orchestrator"], orchestratorProblems(settings.orchestrator)),
    ...within(["workers"], workersProblems(settings.workers)),
    ...within(["ports"], portsProblems(settings.ports, raw.ports ?? {}, internal)),
    ...within(["network"], subnetSettingsProblems(settings.network.subnetPool, settings.network.subnetPrefixLength)),
    ...TIERS.flatMap((t) => within(["tiers", t], tierProblems(settings.tiers[t]))),
    ...clusterProblems({
      cluster: settings.cluster,
      swarmGiven: raw.swarm,
      workers: settings.workers,
      appImage: raw.images?.app,
      workersNoNewPrivileges: settings.hardening.workers.noNewPrivileges,
    }),
  ];
  return { settings, problems };
}

/**
 * Validates the `berth:` values of one stack. `values` maps a key without its namespace to its value
 * as the stack file holds it (objects already parsed). Throws one ConfigError listing every problem:
 * secrets given in plain text, schema mistakes, and the cross-field rules of whatever the schema
 * accepted (checked on the config without the keys the schema refused).
 */
export function parseStackConfig(
  values: Record<string, unknown>,
  stackFile: string,
  secretKeys: ReadonlySet<string> = new Set(),
): Settings {
  const plain = Object.fromEntries(
    Object.entries(values).filter(([k]) => !(SECRET_KEYS as readonly string[]).includes(k)),
  );
  const problems: ConfigProblem[] = [];
  for (const key of SECRET_KEYS) {
    if (values[key] !== undefined && !secretKeys.has(key)) {
      problems.push({
        path: [key],
        given: "a plain-text value",
        allowed: `a secret: run \`pulumi config set --secret ${key} <value>\``,
        secret: true,
      });
    }
  }
  const parsed = configSchema.safeParse(plain);
  if (parsed.success) {
    const { settings, problems: crossField } = normalise(parsed.data);
    problems.push(...crossField);
    if (problems.length > 0) throw new ConfigError(stackFile, problems);
    return settings;
  }
  problems.push(...describeIssues(parsed.error.issues, plain, configSchema));
  problems.push(...crossFieldProblemsOfTheRest(plain, parsed.error.issues));
  throw new ConfigError(stackFile, problems);
}

/** Drops the values the schema refused and checks the cross-field rules of what remains. */
function crossFieldProblemsOfTheRest(
  plain: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
): ConfigProblem[] {
  let rest: unknown = structuredClone(plain);
  let pending = issues;
  // A few rounds at most: removing one bad value can only reveal problems further up its path.
  for (let round = 0; round < 4; round++) {
    for (const issue of pending)
      rest = withoutPath(
        rest,
        issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path],
      );
    const again = configSchema.safeParse(rest);
    if (again.success) return normalise(again.data).problems;
    pending = again.error.issues;
  }
  return [];
}

function withoutPath(root: unknown, paths: PropertyKey[][]): unknown {
  for (const path of paths) {
    if (path.length === 0) return {};
    const parent = path
      .slice(0, -1)
      .reduce<unknown>(
        (node, key) =>
          node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined,
        root,
      );
    if (parent !== null && typeof parent === "object")
      delete (parent as Record<PropertyKey, unknown>)[path[path.length - 1]];
  }
  return root;
}
