// `pulumi up` runs the compiled program (Pulumi.yaml: main dist/index.js), so a source edited
// after the last `npm run build` would silently not take effect. The program checks first.
import { readdirSync, statSync } from "node:fs";
import * as path from "node:path";

/** What `pulumi up` runs from dist/: the program, its components, and the gate CLI and tools its commands call. */
export const PROGRAM_SOURCES = ["index.ts", "fresh-build.ts", "components", "gate", "tools"];

/** The TypeScript sources under `root` (files or directories in `sources`) modified after `builtAtMs`, sorted. */
export function sourcesNewerThan(
  root: string,
  builtAtMs: number,
  sources: readonly string[] = PROGRAM_SOURCES,
): string[] {
  const newer: string[] = [];
  const visit = (rel: string): void => {
    const stat = statSync(path.join(root, rel), { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path.join(root, rel))) visit(path.join(rel, entry));
    } else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts") && stat.mtimeMs > builtAtMs) {
      newer.push(rel);
    }
  };
  for (const source of sources) visit(source);
  return newer.sort();
}

/**
 * Throws when `compiledFile` (the running program, e.g. dist/index.js) is older than a source it
 * is built from. Under ts-node (`compiledFile` is the .ts source itself) there is nothing to compare.
 */
export function assertFreshBuild(compiledFile: string, sources: readonly string[] = PROGRAM_SOURCES): void {
  if (!compiledFile.endsWith(".js")) return;
  const root = path.dirname(path.dirname(compiledFile));
  const newer = sourcesNewerThan(root, statSync(compiledFile).mtimeMs, sources);
  if (newer.length === 0) return;
  const named = newer.length > 3 ? `${newer.slice(0, 3).join(", ")} and ${newer.length - 3} more` : newer.join(", ");
  throw new Error(
    `${path.relative(root, compiledFile)} is older than ${named}: run \`npm run build\` first (pulumi up runs the compiled program, Pulumi.yaml main)`,
  );
}
