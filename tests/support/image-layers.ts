// What an image build added: grep the layers on top of a base image for fixed strings, as the
// checks that no secret (a CA certificate, a password) stayed in an image do.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Which of `patterns` occur in the layers the build added on top of `base` (`docker save` writes
 * every layer as an uncompressed tar, listed base first in manifest.json). `dir` receives the
 * saved image; `patternFile` lists one fixed string per line.
 */
export function patternsInAddedLayers(image: string, base: string, patternFile: string, dir: string): string[] {
  execFileSync("sh", ["-c", `docker save "$1" | tar -x -C "$2"`, "sh", image, dir]);
  const [manifest] = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Array<{ Layers: string[] }>;
  const baseLayers = (
    JSON.parse(execFileSync("docker", ["image", "inspect", base], { encoding: "utf8" }))[0].RootFS.Layers as string[]
  ).length;
  const added = manifest!.Layers.slice(baseLayers).map((layer) => join(dir, layer));
  assert.ok(added.length > 0, "the build added no layer");
  const r = spawnSync("grep", ["-a", "-h", "-o", "-F", "-f", patternFile, ...added], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.ok(r.status === 0 || r.status === 1, `grep failed: ${r.stderr}`);
  return [...new Set(r.stdout.split("\n").filter((l) => l !== ""))].sort();
}
