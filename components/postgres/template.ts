// The Postgres template (issues 11 and 27): a throw-away (not durable) Postgres starts from a data
// directory initialised once per engine instead of running initdb and a temporary server on every
// start, and the first start on an engine never waits for that template to be made.
//
// The template lives on a named volume of the engine, shared by every stack whose Postgres has the
// same base image, user, database and scripts (its name is a hash of them). A helper container of
// the base image (berth-postgres-template.sh, started by tools/build-template.ts at the lowest CPU
// weight, no network) makes it there and stays, exited, as its marker. The Postgres container
// mounts the volume and runs berth-postgres-start.sh through the image's entrypoint: with a
// complete template it copies it into the empty PGDATA and sets the password in single-user mode;
// without one (the first up on an engine, while the helper works) the image's entrypoint runs
// initdb, as the official image (and a compose file) does. No password is ever on the volume.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { distInvocation, distRoot, shellQuote } from "../gate/command-line";

/** The scripts, shipped with the package (package.json `files`). */
export const TEMPLATE_CONTEXT_DIR = path.join(path.dirname(distRoot(__dirname)), "components", "postgres", "template");

/** The start script the Postgres container runs (its text goes into the container's command). */
export const START_SCRIPT = "berth-postgres-start.sh";
/** The script the helper container runs to make the template. */
export const MAKE_SCRIPT = "berth-postgres-template.sh";

/** Prefix of every template volume and of its helper container: `docker volume ls -f name=…`. */
export const TEMPLATE_PREFIX = "berth-postgres-template-";
/** Label of the helper containers (value: the template's name): what the prune step lists. */
export const TEMPLATE_LABEL = "berth.postgres-template";
/**
 * Where the helper mounts the volume: the official images' home of the postgres user, so a new
 * volume takes that directory's owner (the engine copies it in) and the helper, as that user, can write.
 */
export const TEMPLATE_MOUNT = "/var/lib/postgresql";
/** The template's directory on the volume, below either mount. */
const TEMPLATE_SUBDIR = "berth-template";
/** The template's directory as the helper sees it. */
export const TEMPLATE_DIR = `${TEMPLATE_MOUNT}/${TEMPLATE_SUBDIR}`;
/**
 * Where the Postgres container mounts the volume, read-only: a path the image does not have, so
 * the engine copies nothing into the volume for it. (Mounted over the image's postgres home, its
 * copy raced the helper's on an engine's first up and failed the container's create: "mkdir
 * …/_data/data: file exists".) Nothing in the Postgres container can write the template.
 */
export const START_TEMPLATE_MOUNT = "/var/lib/berth-postgres-template";
/** The template's directory as the Postgres container sees it. */
export const START_TEMPLATE_DIR = `${START_TEMPLATE_MOUNT}/${TEMPLATE_SUBDIR}`;
/** Template volumes (with their helpers) an engine keeps; the prune step removes older ones. */
export const TEMPLATES_KEPT = 4;

export interface TemplateInputs {
  /**
   * The image the template is made with, as the engine resolves it: an image id (`sha256:…`, what
   * Environment passes: a RemoteImage's imageId) or a reference. An id makes the template's name
   * change when the image does; a tag that moves does not.
   */
  baseImage: string;
  /** POSTGRES_USER the template is made for: its bootstrap superuser. */
  user: string;
  /** POSTGRES_DB the template is made for. */
  database: string;
}

/** A hash of the scripts' names and contents, so an edited script renames the template. */
export function contextHash(dir: string = TEMPLATE_CONTEXT_DIR): string {
  const h = createHash("sha256");
  for (const file of readdirSync(dir).sort())
    h.update(`${file}\0`)
      .update(readFileSync(path.join(dir, file)))
      .update("\0");
  return h.digest("hex");
}

/**
 * `berth-postgres-template-<16 hex>`, the name of the volume and of its helper container: the same
 * inputs give the same name on every stack and machine, so an engine makes each template once;
 * any change gives a new name (and a new container command, which replaces the container).
 */
export function templateName(i: TemplateInputs, context: string = contextHash()): string {
  const hash = createHash("sha256")
    .update(JSON.stringify({ base: i.baseImage, user: i.user, database: i.database, context }))
    .digest("hex");
  return `${TEMPLATE_PREFIX}${hash.slice(0, 16)}`;
}

/**
 * The Postgres container's command: the start script (as `sh -c` text, so no file has to reach
 * the engine), through the image's entrypoint, which execs a command that is not `postgres`.
 */
export function templateStartCommand(server: string[], dir: string = TEMPLATE_CONTEXT_DIR): string[] {
  return [
    "sh",
    "-c",
    readFileSync(path.join(dir, START_SCRIPT), "utf8"),
    "berth-postgres-start",
    START_TEMPLATE_DIR,
    ...server,
  ];
}

/**
 * A path relative to the program's directory (where Pulumi runs the program and its commands), so
 * the command recorded in state is the same on every machine that runs the program.
 */
function fromProgramDir(dir: string): string {
  return path.relative(process.cwd(), dir) || ".";
}

/**
 * The command that starts the helper making the template unless the engine has it or is making it
 * (dist/tools/build-template.js), and prunes templates beyond TEMPLATES_KEPT. `runAs` is the image's
 * postgres user ("uid:gid"), the owner of TEMPLATE_MOUNT.
 */
export function templateBuildCommand(i: TemplateInputs & { runAs: string }, name: string): string {
  const words = [
    "--context",
    fromProgramDir(TEMPLATE_CONTEXT_DIR),
    "--name",
    name,
    "--base",
    i.baseImage,
    "--user",
    i.user,
    "--database",
    i.database,
    "--run-as",
    i.runAs,
  ];
  return [distInvocation("tools/build-template"), ...words.map(shellQuote)].join(" ");
}
