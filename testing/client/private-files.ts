// Files that hold secrets in plain text (recorded stack outputs, engine mode's state): kept in a
// directory of the user's own (0700, checked on every use, never followed through a symlink), each
// file 0600, written to a temporary name and renamed so a reader never sees half a file.
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** This user's directory under the OS temp dir (shared by all users: checked like the leaf). */
export const userTmp = (): string => join(tmpdir(), `berth-${process.getuid?.() ?? "user"}`);

/** Why `path` must not hold secrets, or undefined when it is this user's and private. */
function insecureReason(path: string, expect: "directory" | "file"): string | undefined {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return "it is a symbolic link";
  if (expect === "directory" ? !st.isDirectory() : !st.isFile()) return `it is not a ${expect}`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `it belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  if ((st.mode & 0o077) !== 0)
    return `its mode is ${(st.mode & 0o777).toString(8).padStart(4, "0")}; group and others must have no access`;
  return undefined;
}

/** What a private file holds and which variable moves its directory, for the errors. */
export interface PrivateKind {
  /** e.g. "stack outputs (secrets)" */
  what: string;
  /** e.g. "BERTH_OUTPUTS_DIR" */
  dirVariable: string;
}

/** Creates the directory private to this user, or checks that an existing one is. */
export function privateDir(dir: string, kind: PrivateKind): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Under the shared temp dir, whoever owns the parent could swap the leaf: check both.
  for (const d of dir.startsWith(`${userTmp()}/`) ? [userTmp(), dir] : [dir]) {
    const why = insecureReason(d, "directory");
    if (why)
      throw new Error(
        `refusing to keep ${kind.what} in ${d}: ${why}. Remove it, or set ${kind.dirVariable} to a directory only you can read`,
      );
  }
}

/** Writes `value` as JSON to dir/name, private to this user; returns the path. */
export function writePrivateJson(dir: string, name: string, value: unknown, kind: PrivateKind): string {
  privateDir(dir, kind);
  const path = join(dir, name);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask may have narrowed it further, never widened; be exact
  renameSync(temporary, path);
  return path;
}

/** The JSON in `path`, or undefined when there is no such file; refuses a file that is not this user's alone. */
export function readPrivateJson<T>(path: string, kind: PrivateKind): T | undefined {
  try {
    lstatSync(path);
  } catch {
    return undefined;
  }
  // A file planted by someone else could point tests at another server: only our own is read.
  const why = insecureReason(path, "file");
  if (why)
    throw new Error(`refusing to read ${kind.what} from ${path}: ${why}. Remove the file and bring the stack up again`);
  return JSON.parse(readFileSync(path, "utf8")) as T;
}
