// Names and labels of every Docker object, derived from project and stack only, so two stacks
// (say `test` and `test-pr-42`) can live side by side on one engine.

import * as pulumi from "@pulumi/pulumi";
import { LABELS } from "./contract";

/** Docker object names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; anything else becomes "-". */
export function dockerSafe(text: string): string {
  const cleaned = text.replace(/[^a-zA-Z0-9_.-]+/g, "-").replace(/^[^a-zA-Z0-9]+/, "");
  if (cleaned === "") throw new Error(`"${text}" has no character usable in a Docker name`);
  return cleaned;
}

/** The prefix of every Docker object of one stack: `<project>-<stack>`. */
export function stackPrefix(project: string, stack: string): string {
  return dockerSafe(`${project}-${stack}`);
}

/** A Docker object's name: `<project>-<stack>-<part>`. */
export function objectName(prefix: string, part: string): string {
  return `${prefix}-${dockerSafe(part)}`;
}

export interface LabelSet {
  project: string;
  stack: string;
  /** test, dev or prod, when the objects belong to an Environment. */
  environment?: string;
}

/** Labels as a plain map, sorted by key so that diffs stay stable. */
export function labelMap(base: LabelSet, service?: string, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = {
    [LABELS.project]: base.project,
    [LABELS.stack]: base.stack,
    ...(base.environment === undefined ? {} : { [LABELS.environment]: base.environment }),
    ...(service === undefined ? {} : { [LABELS.service]: service }),
    ...extra,
  };
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** Labels in the provider's list shape: [{ label, value }]. */
export function labelList(labels: Record<string, string>): { label: string; value: string }[] {
  return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/** The name a component's Docker object gets when none is given: `<project>-<stack>-<name>`. */
export function defaultObjectName(name: string): string {
  return objectName(stackPrefix(pulumi.getProject(), pulumi.getStack()), name);
}

const currentStack = (): LabelSet => ({ project: pulumi.getProject(), stack: pulumi.getStack() });

/** The labels a component puts on its objects when none are given: project, stack and its kind. */
export function defaultLabels(kind?: string): Record<string, string> {
  return labelMap(currentStack(), kind);
}

/** Labels berth derives from a container's arguments (hardening, the socket opt-in): never a caller's to set. */
const DERIVED_LABELS: readonly string[] = [LABELS.pidsLimit, LABELS.allowDockerSocket, LABELS.optOut];

/**
 * A component's labels: berth's own (defaultLabels) with the caller's `given` merged over them, so
 * the test kit and destroy still find the objects by project and stack. A caller may set
 * berth.project, berth.stack, berth.environment and berth.service (Environment does); a label berth
 * derives from the container's arguments is refused, as it would waive or misstate the hardening.
 */
export function componentLabels(
  component: string,
  given: Record<string, string> | undefined,
  kind?: string,
): Record<string, string> {
  const derived = Object.keys(given ?? {}).filter((key) => DERIVED_LABELS.includes(key));
  if (derived.length > 0) {
    throw new Error(
      `${component}: labels sets ${derived.join(", ")}, which berth derives from the container's arguments ` +
        `(hardening.pidsLimit, dockerSocket, and the hardening opt-outs); leave ${derived.length === 1 ? "it" : "them"} out and set those arguments instead`,
    );
  }
  return labelMap(currentStack(), kind, given);
}
