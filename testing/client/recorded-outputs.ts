// A stack's outputs as recorded by whatever brought it up without the Pulumi CLI (engine mode
// writes on up and removes on destroy), so test code in other processes can read them. Secrets are
// stored in plain text, as `pulumi stack output --show-secrets` prints them: a private file
// (private-files.ts).
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { StackRef } from "./stack-containers";
import { PrivateKind, readPrivateJson, userTmp, writePrivateJson } from "./private-files";

const RECORD_VERSION = 1;
const KIND: PrivateKind = { what: "stack outputs (secrets)", dirVariable: "BERTH_OUTPUTS_DIR" };

export interface RecordedOutputs {
  version: typeof RECORD_VERSION;
  project: string;
  stack: string;
  /** What wrote it, e.g. "engine mode" (shown in errors about stale records). */
  writtenBy: string;
  writtenAt: string;
  outputs: Record<string, unknown>;
  /** Names of the outputs that are secret (their values are in `outputs`, unmasked). */
  secretOutputs: string[];
}

/** BERTH_OUTPUTS_DIR, else a directory of this user's under the OS temp dir. */
export function outputsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_OUTPUTS_DIR || join(userTmp(), "outputs");
}

/** One file per project and stack; names are encoded so "org/stack" cannot leave the directory. */
export function recordPath(ref: StackRef, dir: string = outputsDir()): string {
  return join(dir, recordFileName(ref));
}

/** `<project>.<stack>.json`, each part encoded so that neither can leave the directory. */
export const recordFileName = (ref: StackRef, suffix = ".json"): string =>
  `${encodeURIComponent(ref.project)}.${encodeURIComponent(ref.stack)}${suffix}`;

export function writeRecordedOutputs(
  record: Omit<RecordedOutputs, "version" | "writtenAt">,
  dir: string = outputsDir(),
): string {
  const full: RecordedOutputs = { version: RECORD_VERSION, writtenAt: new Date().toISOString(), ...record };
  return writePrivateJson(dir, recordFileName(record), full, KIND);
}

/** The record of a stack, or undefined when none was written (or it was removed on destroy). */
export function readRecordedOutputs(ref: StackRef, dir: string = outputsDir()): RecordedOutputs | undefined {
  const path = recordPath(ref, dir);
  const record = readPrivateJson<RecordedOutputs>(path, KIND);
  if (record !== undefined && record.version !== RECORD_VERSION) {
    throw new Error(
      `${path} has record version ${String(record.version)}; this berth reads version ${RECORD_VERSION}: bring the stack up again with this berth`,
    );
  }
  return record;
}

export function removeRecordedOutputs(ref: StackRef, dir: string = outputsDir()): void {
  rmSync(recordPath(ref, dir), { force: true });
}

/**
 * What a stack mode records on up and removes on destroy, remembering each stack's project
 * between the two. `dir` false records nothing.
 */
export class OutputsRecorder {
  private readonly projects = new Map<string, string>();

  constructor(
    private readonly dir: string | false,
    /** Who writes, for the record's `writtenBy`, e.g. "engine mode". */
    private readonly writer: string,
  ) {}

  write(record: Omit<RecordedOutputs, "version" | "writtenAt" | "writtenBy">): void {
    if (this.dir === false) return;
    this.projects.set(record.stack, record.project);
    writeRecordedOutputs({ ...record, writtenBy: `${this.writer} (pid ${process.pid})` }, this.dir);
  }

  /** Removes the record of `stack` (of `project`, when this recorder did not write it). */
  remove(stack: string, project: string | undefined = this.projects.get(stack)): void {
    if (this.dir !== false && project !== undefined) removeRecordedOutputs({ project, stack }, this.dir);
    this.projects.delete(stack);
  }
}
