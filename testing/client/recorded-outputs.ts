// A stack's outputs as recorded by whatever brought it up without the Pulumi CLI (engine mode
// writes on up and removes on destroy), so test code in other processes can read them. Secrets are
// stored in plain text, as `pulumi stack output --show-secrets` prints them; so the directory must
// be the user's own (0700, checked on every use, never followed through a symlink) and each file is
// 0600, written to a temporary name and renamed so a reader never sees half a file.
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackRef } from "./stack-containers";

const RECORD_VERSION = 1;

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

/** This user's directory under the OS temp dir (shared by all users: checked like the leaf). */
const userTmp = (): string => join(tmpdir(), `berth-${process.getuid?.() ?? "user"}`);

/** BERTH_OUTPUTS_DIR, else a directory of this user's under the OS temp dir. */
export function outputsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_OUTPUTS_DIR || join(userTmp(), "outputs");
}

/** One file per project and stack; names are encoded so "org/stack" cannot leave the directory. */
export function recordPath(ref: StackRef, dir: string = outputsDir()): string {
  return join(dir, `${encodeURIComponent(ref.project)}.${encodeURIComponent(ref.stack)}.json`);
}

/** Why `path` must not hold secrets, or undefined when it is this user's and private. */
function insecureReason(path: string, expect: "directory" | "file"): string | undefined {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return "it is a symbolic link";
  if (expect === "directory" ? !st.isDirectory() : !st.isFile()) return `it is not a ${expect}`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `it belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  if ((st.mode & 0o077) !== 0) return `its mode is ${(st.mode & 0o777).toString(8).padStart(4, "0")}; group and others must have no access`;
  return undefined;
}

function refuse(path: string, why: string): Error {
  return new Error(`refusing to keep stack outputs (secrets) in ${path}: ${why}. Remove it, or set BERTH_OUTPUTS_DIR to a directory only you can read`);
}

/** Creates the directory private to this user, or checks that an existing one is. */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Under the shared temp dir, whoever owns the parent could swap the leaf: check both.
  for (const d of dir === join(userTmp(), "outputs") ? [userTmp(), dir] : [dir]) {
    const why = insecureReason(d, "directory");
    if (why) throw refuse(d, why);
  }
}

export function writeRecordedOutputs(record: Omit<RecordedOutputs, "version" | "writtenAt">, dir: string = outputsDir()): string {
  privateDir(dir);
  const path = recordPath(record, dir);
  const temporary = `${path}.${process.pid}.tmp`;
  const full: RecordedOutputs = { version: RECORD_VERSION, writtenAt: new Date().toISOString(), ...record };
  writeFileSync(temporary, `${JSON.stringify(full, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask may have narrowed it further, never widened; be exact
  renameSync(temporary, path);
  return path;
}

/** The record of a stack, or undefined when none was written (or it was removed on destroy). */
export function readRecordedOutputs(ref: StackRef, dir: string = outputsDir()): RecordedOutputs | undefined {
  const path = recordPath(ref, dir);
  try {
    lstatSync(path);
  } catch {
    return undefined;
  }
  // A file planted by someone else could point tests at another server: only our own is read.
  const why = insecureReason(path, "file");
  if (why) throw new Error(`refusing to read stack outputs from ${path}: ${why}. Remove the file and bring the stack up again`);
  const record = JSON.parse(readFileSync(path, "utf8")) as RecordedOutputs;
  if (record.version !== RECORD_VERSION) {
    throw new Error(`${path} has record version ${String(record.version)}; this berth reads version ${RECORD_VERSION}: bring the stack up again with this berth`);
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

  remove(stack: string): void {
    const project = this.projects.get(stack);
    if (this.dir !== false && project !== undefined) removeRecordedOutputs({ project, stack }, this.dir);
    this.projects.delete(stack);
  }
}
