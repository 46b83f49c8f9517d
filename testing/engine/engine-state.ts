// Engine mode's state: per stack, what it made on which engine and from which inputs, as the
// Pulumi backend keeps it for `pulumi up`. It is a file (one per project and stack, private: the
// inputs hold secrets), rewritten after every change, so that up, destroy and status work from any
// process and after a killed one. The engine's reality overrides it: up inspects every recorded
// object first (engine-mode.ts) and objects carrying the stack's labels that the file does not
// know are removed (teardown.ts).
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { recordFileName } from "../client/recorded-outputs";
import { PrivateKind, privateDir, readPrivateJson, userTmp, writePrivateJson } from "../client/private-files";
import type { StackRef } from "../client/stack-containers";
import type { Inputs } from "./resources";

const STATE_VERSION = 1;
const KIND: PrivateKind = { what: "engine mode's state (it holds secret inputs)", dirVariable: "BERTH_STATE_DIR" };
const SUFFIX = ".state.json";

/** One resource engine mode made. */
export interface StateEntry {
  /** `<type>::<name>`: engine mode's key, as Pulumi's URN is the CLI's. */
  key: string;
  type: string;
  name: string;
  id: string;
  inputs: Inputs;
  state: Record<string, any>;
  /** The engine it lives on: a provider's host, or undefined for the local engine. */
  engine: string | undefined;
  /** Creation order, for destroy (newest first). */
  order: number;
  /**
   * The object exists (destroy finds it) but its create did not finish: the process ended before
   * its outputs were read. The next up replaces it (convergence.ts).
   */
  unfinished?: true;
}

export interface StackState extends StackRef {
  version: typeof STATE_VERSION;
  /** false: a reaper removes the stack when the process that brought it up ends (UpRequest.keep). */
  keep: boolean;
  entries: StateEntry[];
}

/** BERTH_STATE_DIR, else a directory of this user's under the OS temp dir. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_STATE_DIR || join(userTmp(), "state");
}

export function statePath(ref: StackRef, dir: string = stateDir()): string {
  return join(dir, recordFileName(ref, SUFFIX));
}

/** Where the stack's reaper logs, beside its state file; the directory is made (private) if missing. */
export function reaperLogPath(ref: StackRef, dir: string = stateDir()): string {
  privateDir(dir, KIND);
  return join(dir, recordFileName(ref, ".reaper.log"));
}

export function writeState(state: Omit<StackState, "version">, dir: string = stateDir()): void {
  const full: StackState = {
    version: STATE_VERSION,
    ...state,
    entries: [...state.entries].sort((a, b) => a.order - b.order),
  };
  writePrivateJson(dir, recordFileName(state, SUFFIX), full, KIND);
}

export function readState(ref: StackRef, dir: string = stateDir()): StackState | undefined {
  const path = statePath(ref, dir);
  const state = readPrivateJson<StackState>(path, KIND);
  if (state !== undefined && state.version !== STATE_VERSION) {
    throw new Error(
      `${path} has state version ${String(state.version)}; this berth reads version ${STATE_VERSION}: destroy the stack's objects by label (sweepStack) and remove the file`,
    );
  }
  return state;
}

export function removeState(ref: StackRef, dir: string = stateDir()): void {
  rmSync(statePath(ref, dir), { force: true });
}

/** The projects that have a state file for `stack` in `dir` (read from the files: names may hold dots). */
export function projectsWithState(stack: string, dir: string = stateDir()): string[] {
  const suffix = `.${encodeURIComponent(stack)}${SUFFIX}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(suffix))
    .map((n) => readPrivateJson<StackState>(join(dir, n), KIND))
    .flatMap((s) => (s !== undefined && s.stack === stack ? [s.project] : []))
    .sort();
}
