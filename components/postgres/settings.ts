// Postgres settings: the config fragment under berth:postgres, its per-environment defaults and
// the rules between its fields. The stack config and the Postgres component both use them.
import { z } from "zod";
import { ConfigProblem } from "../problems";
import { Assert, cpus, EnvironmentType, Filled, memoryMb, Same, sqlIdentifier, wholeNumber } from "../fields";

export const postgresSchema = z.strictObject({
  database: sqlIdentifier.describe("database created at start").optional(),
  user: sqlIdentifier
    .describe("role that owns it; its password is the secret berth:postgresPassword or a generated one")
    .optional(),
  memoryMb: memoryMb(64)
    .describe("memory limit, no swap; covers shared buffers + 96 MB, plus the tmpfs when not durable (its pages count)")
    .optional(),
  cpus: cpus.describe("CPU limit in cores").optional(),
  tmpfsSizeMb: wholeNumber(16, 262_144)
    .describe("size of the tmpfs data directory; only when durable is false")
    .optional(),
  sharedBuffersMb: wholeNumber(1, 131_072).describe("shared_buffers").optional(),
  durable: z
    .boolean()
    .describe(
      "false: data on a tmpfs with fsync, synchronous_commit and full_page_writes off; true: a named volume with Postgres' durable defaults",
    )
    .optional(),
});
export type PostgresInput = z.infer<typeof postgresSchema>;
/** berth:postgres with every default applied. */
export interface PostgresSettings {
  /** Database created at start. */
  database: string;
  /** Role that owns it. */
  user: string;
  /** Memory limit, no swap; covers shared buffers + 96 MB, plus the tmpfs when not durable. */
  memoryMb: number;
  /** CPU limit in cores. */
  cpus: number;
  /** Size of the tmpfs data directory (when not durable). */
  tmpfsSizeMb: number;
  /** shared_buffers, in MB. */
  sharedBuffersMb: number;
  /** false: data on a tmpfs with fsync, synchronous_commit and full_page_writes off; true: a named volume. */
  durable: boolean;
}
export type PostgresSettingsMatchesSchema = Assert<Same<PostgresSettings, Filled<PostgresInput>>>;

/** test: throw-away data on tmpfs; dev and prod: durable data on a volume. */
export function postgresDefaults(environment: EnvironmentType): PostgresSettings {
  const test = environment === "test";
  return {
    database: "berth",
    user: "berth",
    memoryMb: test ? 512 : 1024,
    cpus: 1,
    tmpfsSizeMb: 256,
    sharedBuffersMb: test ? 64 : 256,
    durable: !test,
  };
}

/** Beyond shared buffers, for connections, work memory and the server itself. */
export const POSTGRES_OVERHEAD_MB = 96;
export const POSTGRES_MIN_MEMORY_MB = 128;

/**
 * Rules between the fields, paths relative to berth:postgres. `given` is what the stack file set
 * (a tmpfs size given for a durable Postgres is a mistake; the default one is not).
 */
export function postgresProblems(s: PostgresSettings, given: PostgresInput = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const tmpfs = s.durable ? 0 : s.tmpfsSizeMb;
  const need = Math.max(POSTGRES_MIN_MEMORY_MB, s.sharedBuffersMb + POSTGRES_OVERHEAD_MB + tmpfs);
  if (s.memoryMb < need) {
    const parts = [
      `shared buffers ${s.sharedBuffersMb} MB`,
      `${POSTGRES_OVERHEAD_MB} MB for connections and work memory`,
      ...(tmpfs > 0 ? [`the ${tmpfs} MB tmpfs data directory, whose pages count against the limit`] : []),
    ];
    problems.push({ path: ["memoryMb"], given: s.memoryMb, allowed: `at least ${need} (${parts.join(" + ")})` });
  }
  if (s.durable && given.tmpfsSizeMb !== undefined) {
    problems.push({
      path: ["tmpfsSizeMb"],
      given: given.tmpfsSizeMb,
      allowed:
        "nothing when durable is true (a durable Postgres keeps its data on a volume, not a tmpfs): remove it, or set durable: false",
    });
  }
  return problems;
}
