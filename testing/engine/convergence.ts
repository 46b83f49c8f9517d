// What engine mode does to one declared resource on an up, from what it made before: the
// provider's decision (provider-semantics.ts, the table the plan predicts from) applied to the
// inputs that changed, after the engine's reality (drift) has had its say. Pure: the unit test
// pins it; engine-mode.ts carries it out.
import { changedInputs } from "./input-changes";
import { inputRule, operationFor, pathOperation, pathSegments, SEMANTICS, UpdateEffect } from "./provider-semantics";

/** A resource as the program declares it now. */
export interface Declared {
  type: string;
  inputs: Record<string, unknown>;
  /** The engine it goes to (a provider's host), undefined for the local one. */
  engine: string | undefined;
  /** The resource options the provider's decision also depends on (Pulumi's, not the provider's). */
  replaceOnChanges?: string[];
  deleteBeforeReplace?: boolean;
}

/** What engine mode made for it before (its state entry). */
export interface Known {
  inputs: Record<string, unknown>;
  engine: string | undefined;
  /** Made on the engine by an up that ended before the create finished (StateEntry.unfinished). */
  unfinished?: boolean;
}

/** Why an object an ended up left mid-create is replaced: what it made was never read back. */
export const UNFINISHED = "left mid-create by an up that ended";

/** The changed input paths of an update, by what the update does with them. */
export type UpdateEffects = Record<UpdateEffect, string[]>;

export type Step =
  /** Nothing recorded (or the object is missing on the engine): make it. */
  | { action: "create"; reason?: string }
  /** Keep the object; `changed` (inputs the provider ignores, e.g. registry credentials) are only recorded. */
  | { action: "same"; changed: string[] }
  /** Keep the object and its id; apply, re-run or record each changed input as `effects` says. */
  | { action: "update"; changed: string[]; effects: UpdateEffects }
  /** A new object (new id): for `replacedBy` inputs, or for `reason` (the engine's state of the old one). */
  | { action: "replace"; changed: string[]; replacedBy: string[]; reason?: string };

/**
 * The step for `next`, given what was made before (`known`, undefined when nothing was) and the
 * drift the engine showed for it ("missing", "exited (137)", "unhealthy"; undefined when none).
 */
export function convergeStep(known: Known | undefined, next: Declared, drift?: string): Step {
  const why = drift === undefined ? {} : { reason: drift };
  if (known === undefined || drift === "missing") return { action: "create", ...why };
  const changed = changedInputs(next.type, known.inputs, next.inputs);
  if (drift !== undefined) return { action: "replace", changed, replacedBy: [], ...why };
  // As Pulumi with a pending create: not trusted; its outputs (an engine-picked port) were never read.
  if (known.unfinished) return { action: "replace", changed, replacedBy: [], reason: UNFINISHED };
  // Another provider (another engine) is another resource to Pulumi.
  if (known.engine !== next.engine) return { action: "replace", changed, replacedBy: ["provider"] };
  if (changed.length === 0) return { action: "same", changed };
  // Provider resources (pulumi:providers:docker) have no row: any change of the engine replaces.
  if (SEMANTICS[next.type] === undefined) return { action: "replace", changed, replacedBy: changed };
  const p = operationFor(next.type, changed, {
    replaceOnChanges: next.replaceOnChanges,
    deleteBeforeReplace: next.deleteBeforeReplace,
  });
  if (p.operation === "replace") return { action: "replace", changed, replacedBy: p.replacedBy };
  if (p.operation === "same") return { action: "same", changed };
  const effects: UpdateEffects = { applied: [], rerun: [], recorded: [] };
  for (const path of changed) {
    if (pathOperation(next.type, path) !== "update") continue;
    effects[inputRule(next.type, pathSegments(path)[0]).effect ?? "recorded"].push(path);
  }
  return { action: "update", changed, effects };
}

/** The top-level inputs among `paths` ("memory", "healthcheck.tests[1]" → "healthcheck"). */
export function topInputs(paths: string[]): string[] {
  return [...new Set(paths.map((p) => pathSegments(p)[0]))];
}
