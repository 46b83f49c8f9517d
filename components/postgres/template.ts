// The Postgres template image (issue 11): a throw-away (not durable) Postgres starts from a data
// directory initialised once, when this image is built from the configured Postgres image, instead
// of running initdb and a temporary server on every start. The build context is template/ (shipped
// with the package): its Dockerfile reads the image's own layout while building (the postgres user
// by name: uid 70 on Alpine, 999 on Debian; PATH; PGDATA at start), so both official image stacks
// work by construction. At start, berth-postgres-start.sh copies the template into the empty PGDATA
// and sets POSTGRES_PASSWORD in single-user mode before any server listens, then hands over to the
// image's docker-entrypoint.sh; whatever the template does not fit (another user or database,
// POSTGRES_INITDB_ARGS, init scripts, root, ...) is left to that entrypoint's initdb, as before.
// No password is in any layer.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { distRoot, gateInvocation, shellQuote } from "../gate/command-line";

/** The build context, shipped with the package (package.json `files`). */
export const TEMPLATE_CONTEXT_DIR = path.join(path.dirname(distRoot(__dirname)), "components", "postgres", "template");

/** Repository of the built images; the tag is a hash of everything the image is made from. */
export const TEMPLATE_REPOSITORY = "berth-postgres-template";

export interface TemplateImageInputs {
  /**
   * The image the template is built FROM, as the classic builder resolves it on the engine: an
   * image id (`sha256:…`, what Environment passes: a RemoteImage's imageId) or a reference. An id
   * makes the template's name change when the image does; a tag that moves does not.
   */
  baseImage: string;
  /** POSTGRES_USER the template is made for: its bootstrap superuser. */
  user: string;
  /** POSTGRES_DB the template is made for. */
  database: string;
}

/** A hash of the build context's files (names and contents), so an edited script renames the image. */
export function contextHash(dir: string = TEMPLATE_CONTEXT_DIR): string {
  const h = createHash("sha256");
  for (const file of readdirSync(dir).sort()) h.update(`${file}\0`).update(readFileSync(path.join(dir, file))).update("\0");
  return h.digest("hex");
}

/**
 * `berth-postgres-template:<16 hex>`: the same inputs give the same name on every stack and
 * machine, so an engine that has it builds from its layer cache; any change gives a new name,
 * which replaces the container. Not per stack: the provider never deletes a built image.
 */
export function templateImageName(i: TemplateImageInputs, context: string = contextHash()): string {
  const hash = createHash("sha256").update(JSON.stringify({ base: i.baseImage, user: i.user, database: i.database, context })).digest("hex");
  return `${TEMPLATE_REPOSITORY}:${hash.slice(0, 16)}`;
}

/**
 * A path relative to the program's directory (where Pulumi runs the program and its commands), so
 * the command recorded in state is the same on every machine that runs the program.
 */
function fromProgramDir(dir: string): string {
  return path.relative(process.cwd(), dir) || ".";
}

/**
 * The command that builds the template image unless the engine has it (dist/gate/build-template.js):
 * the classic builder, every intermediate container removed — the Docker provider's own classic
 * builds (docker.Image with BuilderV1) keep theirs on the engine, which would leave things behind.
 */
export function templateBuildCommand(i: TemplateImageInputs, tag: string): string {
  const words = ["--context", fromProgramDir(TEMPLATE_CONTEXT_DIR), "--tag", tag, "--base", i.baseImage, "--user", i.user, "--database", i.database];
  return [gateInvocation("build-template"), ...words.map(shellQuote)].join(" ");
}
