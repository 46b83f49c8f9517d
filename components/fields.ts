// Building blocks every settings fragment uses: the environment types and zod fields with the
// units and bounds berth means by them. Messages are what the user reads after "allowed:".
import { z } from "zod";

/** What `berth:environment` names; it picks every default. */
export type EnvironmentType = "test" | "dev" | "prod";
export const ENVIRONMENTS = ["test", "dev", "prod"] as const;
export type EnvironmentsListed = Assert<Same<(typeof ENVIRONMENTS)[number], EnvironmentType>>;

/** A whole number from min to max. */
export const wholeNumber = (min: number, max: number) => z.number().int().min(min).max(max);

/** Memory limits are whole MB, as the Docker provider takes them. */
export const memoryMb = (min: number) => wholeNumber(min, 262_144);

/** A CPU limit in cores, e.g. 0.5. */
export const cpus = z.number().min(0.05).max(64);

/** Postgres role and database names berth creates: unquoted lower-case SQL identifiers. */
export const sqlIdentifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: "a lower-case SQL identifier such as berth or app_test" });

/** The settings a fragment's schema accepts, every key present (what its defaults fill in). */
export type Filled<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

// The types of the public surface are written out (a team reads them in berth's API report and in
// its editor, and names them without berth's schemas); each is checked where it is declared
// against the schema or list it describes: `export type XMatchesSchema = Assert<Same<X, …>>` fails
// to compile when one changes without the other.

/** `true` when A and B are the same type: objects key for key, optional keys and intersections included. */
export type Same<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };
/** Compiles only for `true`. */
export type Assert<T extends true> = T;

/** Keys that were given, without the ones left undefined (so they do not erase a default). */
export function given<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
