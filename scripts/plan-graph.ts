// Pure graph views of a recorded program: the parent tree and a Mermaid picture of the
// dependency edges. Deterministic: siblings sorted by name then type, edges sorted.
import type { RecordedResource } from "../testing/recorder";
import { resourceId, shortType } from "./plan-format";

export interface Placed {
  resource: RecordedResource;
  depth: number;
}

const bySortKey = (a: RecordedResource, b: RecordedResource) =>
  a.name.localeCompare(b.name) || a.type.localeCompare(b.type);

/** Every resource once, each parent before its children (depth-first), siblings by name then type. */
export function treeOrder(resources: RecordedResource[]): Placed[] {
  const urns = new Set(resources.map((r) => r.urn));
  const children = new Map<string, RecordedResource[]>();
  for (const r of resources) {
    const parent = urns.has(r.parent) ? r.parent : ""; // unrecorded parent (the stack): a root
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const placed: Placed[] = [];
  const visit = (parent: string, depth: number) => {
    for (const r of [...(children.get(parent) ?? [])].sort(bySortKey)) {
      placed.push({ resource: r, depth });
      visit(r.urn, depth + 1);
    }
  };
  visit("", 0);
  return placed;
}

/** How a URN reads in the plan: the recorded resource's id, else the URN's last part. */
export function urnLabel(byUrn: Map<string, RecordedResource>, urn: string): string {
  const r = byUrn.get(urn);
  return r ? resourceId(r) : urn.split("::").pop()!;
}

/**
 * Drops the edges a longer path already implies (transitive reduction of a DAG): the picture
 * keeps the order of creation without the clutter. The full lists stay in the resource sections.
 */
export function reduceEdges(deps: Map<string, string[]>): Map<string, string[]> {
  const reach = new Map<string, Set<string>>();
  const reachable = (node: string): Set<string> => {
    let set = reach.get(node);
    if (set) return set;
    set = new Set();
    reach.set(node, set);
    for (const d of deps.get(node) ?? []) {
      set.add(d);
      for (const t of reachable(d)) set.add(t);
    }
    return set;
  };
  const reduced = new Map<string, string[]>();
  for (const [node, direct] of deps) {
    reduced.set(
      node,
      direct.filter((d) => !direct.some((other) => other !== d && reachable(other).has(d))),
    );
  }
  return reduced;
}

/** A Mermaid id from a resource id: letters, digits and underscores only. */
export function mermaidId(r: Pick<RecordedResource, "type" | "name">): string {
  return resourceId(r).replace(/[^A-Za-z0-9]+/g, "_");
}

/**
 * A Mermaid flowchart: components as (nested) subgraphs, custom resources as nodes, an arrow from
 * each dependency to its dependent (the order of creation), implied edges left out.
 */
export function mermaidLines(resources: RecordedResource[]): string[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const lines = ["flowchart TD"];
  const placed = treeOrder(resources);
  const open: number[] = []; // depths of the subgraphs still open
  for (const { resource: r, depth } of placed) {
    while (open.length > 0 && open[open.length - 1] >= depth) lines.push(`${"  ".repeat(open.pop()! + 1)}end`);
    const indent = "  ".repeat(depth + 1);
    if (r.custom) {
      lines.push(`${indent}${mermaidId(r)}["${r.name}<br/>${shortType(r.type)}"]`);
    } else {
      lines.push(`${indent}subgraph ${mermaidId(r)}["${resourceId(r)}"]`);
      open.push(depth);
    }
  }
  while (open.length > 0) lines.push(`${"  ".repeat(open.pop()! + 1)}end`);

  const customs = resources.filter((r) => r.custom);
  const deps = new Map(customs.map((r) => [r.urn, r.dependencies.filter((d) => byUrn.get(d)?.custom)]));
  const edges = [...reduceEdges(deps)].flatMap(([urn, ds]) =>
    ds.map((d) => `  ${mermaidId(byUrn.get(d)!)} --> ${mermaidId(byUrn.get(urn)!)}`),
  );
  return [...lines, ...edges.sort()];
}
