// Which inputs of a resource changed, as the provider compares them: one home for engine mode's
// convergence (convergence.ts) and the plan's predicted operations (scripts/plan-operations.ts).
import { isDeepStrictEqual } from "node:util";
import { SEMANTICS } from "./provider-semantics";

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Input paths where `a` and `b` differ: into objects, and into arrays of one length; elsewhere the path itself. */
export function changedPaths(a: unknown, b: unknown, path = ""): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.flatMap((x, i) => changedPaths(x, b[i], `${path}[${i}]`));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], path === "" ? k : `${path}.${k}`));
  }
  return [path];
}

/** A set-typed input's value with every list inside sorted, so that reordering is no change (as the provider holds it). */
function unorderedForm(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map(unorderedForm).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unorderedForm(v)]));
  return value;
}

/** `inputs` of a resource of `type` in the form the provider compares: its set-typed inputs sorted. */
export function comparableInputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const unordered = SEMANTICS[type]?.unordered ?? [];
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, unordered.includes(k) ? unorderedForm(v) : v]));
}

/** The input paths of a resource of `type` that changed from `before` to `after`, as the provider sees them. */
export function changedInputs(type: string, before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return changedPaths(comparableInputs(type, before), comparableInputs(type, after));
}
