// What an edit does, resource by resource (pure: tests/unit/plan-operations.test.ts): two offline
// runs of a stack's program — before and after — compared input by input, each change looked up
// in the providers' semantics (testing/engine/provider-semantics.ts), and replacements followed to
// every resource whose inputs carry a replaced resource's id (a worker joined to the namespace of
// a replaced container, a gate triggered by a container's id), as the engine would see the new id.
import { isDeepStrictEqual } from "node:util";
import type { RecordedResource } from "../testing/recorder";
import { operationFor } from "../testing/engine/provider-semantics";
import { changedInputs, isPlainObject } from "../testing/engine/input-changes";
import { shortType } from "./plan-format";

export type PlannedAction = "create" | "update" | "replace" | "delete";

export interface PlannedOperation {
  type: string;
  name: string;
  action: PlannedAction;
  /** The changed inputs, as paths ("memory", "healthcheck.tests[1]"); none for create and delete. */
  changed: string[];
  /** Of those, the ones that force a replacement. */
  replacedBy: string[];
  /** The replaced resources whose new id reaches this one's inputs. */
  following: string[];
}

/** Paths of `value` whose strings hold `needle`. */
function pathsHolding(value: unknown, needle: string, path = ""): string[] {
  if (typeof value === "string") return value.includes(needle) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((x, i) => pathsHolding(x, needle, `${path}[${i}]`));
  if (isPlainObject(value))
    return Object.entries(value).flatMap(([k, v]) => pathsHolding(v, needle, path === "" ? k : `${path}.${k}`));
  return [];
}

/**
 * The operations `pulumi up` would run to go from `before` to `after` (custom resources only; the
 * provider resources aside), in `after`'s order, then the deletes. `idOf` gives the id the mock
 * runtime gave a resource, which its dependents' inputs carry.
 */
export function predictOperations(
  before: RecordedResource[],
  after: RecordedResource[],
  idOf: (r: RecordedResource) => string,
): PlannedOperation[] {
  const planned = (rs: RecordedResource[]) => rs.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
  const old = new Map(planned(before).map((r) => [r.urn, r]));
  const now = planned(after);
  const ops = new Map<string, PlannedOperation>();
  // Undefined when the provider sees no change in those paths (e.g. an image's registry credentials).
  const judge = (r: RecordedResource, changed: string[], following: string[]): PlannedOperation | undefined => {
    const p = operationFor(r.type, changed, {
      replaceOnChanges: r.replaceOnChanges,
      deleteBeforeReplace: r.deleteBeforeReplace,
    });
    return p.operation === "same"
      ? undefined
      : { type: r.type, name: r.name, action: p.operation, changed, replacedBy: p.replacedBy, following };
  };
  for (const r of now) {
    const was = old.get(r.urn);
    if (!was) {
      ops.set(r.urn, { type: r.type, name: r.name, action: "create", changed: [], replacedBy: [], following: [] });
      continue;
    }
    const op = judge(r, changedInputs(r.type, was.inputs, r.inputs), []);
    if (op) ops.set(r.urn, op);
  }
  // A replacement gives its resource a new id: every input carrying the old one changes too, until nothing more is replaced.
  for (let grew = true; grew;) {
    grew = false;
    const replaced = now.filter((r) => ops.get(r.urn)?.action === "replace");
    for (const r of now) {
      const was = old.get(r.urn);
      const current = ops.get(r.urn);
      if (!was || current?.action === "replace") continue;
      const reaching = replaced.filter((x) => x !== r && pathsHolding(r.inputs, idOf(x)).length > 0);
      const following = reaching.map((x) => x.name).sort();
      if (following.length === 0 || isDeepStrictEqual(following, current?.following)) continue;
      const changed = [
        ...new Set([...(current?.changed ?? []), ...reaching.flatMap((x) => pathsHolding(r.inputs, idOf(x)))]),
      ];
      const next = judge(r, changed, following);
      if (!next) continue;
      ops.set(r.urn, next);
      grew = true;
    }
  }
  const kept = new Set(now.map((r) => r.urn));
  const deletes = [...old.values()]
    .filter((r) => !kept.has(r.urn))
    .map((r): PlannedOperation => ({
      type: r.type,
      name: r.name,
      action: "delete",
      changed: [],
      replacedBy: [],
      following: [],
    }));
  return [...now.flatMap((r) => ops.get(r.urn) ?? []), ...deletes];
}

const SYMBOL: Record<PlannedAction, string> = { create: "+", update: "~", replace: "+-", delete: "-" };

/** The summary line: `N to create, N to update, N to replace, N to delete`. */
export function operationsSummary(ops: PlannedOperation[]): string {
  const n = (a: PlannedAction) => ops.filter((o) => o.action === a).length;
  return `${n("create")} to create, ${n("update")} to update, ${n("replace")} to replace, ${n("delete")} to delete`;
}

/** The summary line, then one line per operation: what, and the inputs (or the replaced resources) that cause it. */
export function formatOperations(ops: PlannedOperation[]): string[] {
  // "envs[5]" and "envs[2]" read as one input: envs.
  const inputs = (paths: string[]) => [...new Set(paths.map((p) => p.replace(/\[\d+\]/g, "")))].join(", ");
  const why = (o: PlannedOperation): string => {
    const parts = [
      ...(o.replacedBy.length > 0 ? [`replaced by ${inputs(o.replacedBy)}`] : []),
      ...(o.action === "update" ? [`changes ${inputs(o.changed)}`] : []),
      ...(o.following.length > 0 ? [`follows the new id of ${o.following.join(", ")}`] : []),
    ];
    return parts.length > 0 ? ` (${parts.join("; ")})` : "";
  };
  return [
    operationsSummary(ops),
    ...ops.map((o) => `  ${SYMBOL[o.action].padEnd(2)} ${o.action.padEnd(7)} ${shortType(o.type)} ${o.name}${why(o)}`),
  ];
}
