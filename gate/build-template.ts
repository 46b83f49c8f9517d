#!/usr/bin/env node
// berth build-template: builds the Postgres template image (components/postgres/template) unless the
// engine already holds it. The classic builder resolves FROM on the engine (an image id or a local
// tag, no registry); every intermediate container is removed (rm, forcerm), and so are the first
// stage's images: a build leaves nothing behind but the image it tags. (The Docker provider's own
// classic builds keep their containers, so berth does not use docker.Image for this.)
// Usage: node dist/gate/build-template.js --context <dir> --tag <name:tag> --base <image> --user <role> --database <db>
// Prints {"image":"<tag>","id":"sha256:…","built":true|false}; exit 1 when the build fails (with its
// last output lines) or the engine cannot be reached, 2 on usage errors.
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import type Docker from "dockerode";
import { createDockerClient } from "./docker-client";
import { createEngineClient, EngineClient } from "./engine-client";
import { isEngineUnreachable, isNoSuchContainer, unreachableMessageFor } from "./engine-errors";
import { exitAfterFlush, runMain } from "./process-exit";
import { errorMessage } from "./types";
import { parseTemplateArgs, TemplateOptions, TEMPLATE_TOOL as TOOL } from "./template-args";

/** Build output lines kept for a failure's report. */
const TAIL_LINES = 20;
/** Set on the first stage's images (the Dockerfile's LABEL), with a value of this build's own. */
const STAGE_LABEL = "berth.postgres-template-build";

/** The build ran and failed: its own message, not an unreachable engine. */
class BuildFailed extends Error {}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Builds, then removes the untagged images the classic builder keeps of the first stage (a copy
 * of the base with the template, as large as the base), whether the build worked or not.
 * Labelled per build, so builds of the same tag running at once never remove each other's.
 */
async function build(docker: Docker, o: TemplateOptions): Promise<void> {
  const buildId = randomBytes(8).toString("hex");
  try {
    await runBuild(docker, o, buildId);
  } finally {
    await removeStageImages(docker, buildId);
  }
}

/** Never throws: a build's own error must not be hidden by its clean-up's. */
async function removeStageImages(docker: Docker, buildId: string): Promise<void> {
  const warn = (what: string, err: unknown) => process.stderr.write(`${TOOL}: could not remove the build's stage images (${what}): ${errorMessage(err)}\n`);
  // Only the top of each chain is listed; removing it removes its untagged parents with it.
  const left = await docker.listImages({ filters: JSON.stringify({ label: [`${STAGE_LABEL}=${buildId}`] }) }).catch((err) => (warn("listing them", err), []));
  for (const image of left) await docker.getImage(image.Id).remove().catch((err) => warn(image.Id, err));
}

async function runBuild(docker: Docker, o: TemplateOptions, buildId: string): Promise<void> {
  const stream = await docker.buildImage(
    { context: o.context, src: readdirSync(o.context) },
    // version "1": the classic builder; rm/forcerm: no intermediate container stays, even on failure.
    {
      t: o.tag,
      buildargs: { BASE_IMAGE: o.base, TEMPLATE_USER: o.user, TEMPLATE_DB: o.database, BUILD_ID: buildId },
      rm: true,
      forcerm: true,
      version: "1",
    } as Docker.ImageBuildOptions,
  );
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: BuildEvent[]) => {
        const failed = err?.message ?? events.find((e) => e.error !== undefined)?.error;
        if (failed === undefined) return resolve();
        reject(new BuildFailed(`${failed}\n${tail.map((l) => `  ${l}`).join("\n")}`));
      },
      (event: BuildEvent) => {
        for (const line of (event.stream ?? "").split("\n").filter((l) => l.trim() !== "")) {
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
        }
      },
    ),
  );
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseTemplateArgs(argv);
  if (parsed.kind === "exit") {
    if (parsed.message) process.stderr.write(`${parsed.message}\n`);
    return parsed.code;
  }
  const o = parsed.value;
  // Every up but the first finds the image: that check is on the Postgres container's path, so
  // it uses the gate's lean client; dockerode (~100 ms to load) only comes for a build.
  let engine: EngineClient | undefined;
  try {
    const client = (engine = createEngineClient());
    const existing = await client.image(o.tag).catch((err) => (isNoSuchContainer(err) ? undefined : Promise.reject(err)));
    const built = existing === undefined;
    if (built) {
      process.stderr.write(`${TOOL}: building ${o.tag} from ${o.base} for user ${o.user}, database ${o.database}\n`);
      await build(createDockerClient(), o);
    }
    const id = existing?.Id ?? (await client.image(o.tag)).Id;
    process.stdout.write(`${JSON.stringify({ image: o.tag, id, built })}\n`);
    return 0;
  } catch (err) {
    const why =
      !(err instanceof BuildFailed) && isEngineUnreachable(err)
        ? await unreachableMessageFor(engine, err)
        : `could not build ${o.tag} from ${o.base}: ${errorMessage(err)}`;
    process.stderr.write(`${TOOL}: ${why}\n`);
    return 1;
  }
}

runMain(TOOL, () => main(process.argv.slice(2))).then(exitAfterFlush);
