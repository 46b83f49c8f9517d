// The engine-mode harness's translation of @pulumi/docker 5.2 Image inputs (as berth uses them) to
// one Engine API build call, following the provider's dockerBuild (pulumi-docker
// provider/image.go): the context and Dockerfile resolved against the program's directory, the
// Dockerfile by default `<context>/Dockerfile`, build args, target, platform and network passed
// through, the image tagged with imageName and never pushed. Pure, so a table test pins every
// field. Only the classic builder: BuildKit needs a session the harness does not run. An input it
// does not translate fails loudly instead of being dropped.
import * as path from "node:path";
import type Dockerode from "dockerode";

/** Provider inputs this translation handles; anything else is an error. buildOnPreview only
 * changes what a preview does, and engine mode runs none. */
const IMAGE_INPUTS = new Set(["imageName", "build", "skipPush", "buildOnPreview"]);
const BUILD_INPUTS = new Set(["context", "dockerfile", "args", "builderVersion", "target", "platform", "network"]);

export interface ImageInputs {
  imageName: string;
  [key: string]: any;
}

export interface BuildCall {
  /** The build context directory, absolute; its files (after .dockerignore) are sent. */
  context: string;
  options: Dockerode.ImageBuildOptions;
  /** The provider's outputs, apart from repoDigest (the built image's id, known after the build). */
  state: {
    imageName: string;
    baseImageName: string;
    context: string;
    dockerfile: string;
    registryServer: string;
    platform?: string;
  };
}

export function imageBuildCall(inputs: ImageInputs, cwd: string): BuildCall {
  const unknown = Object.keys(inputs).filter((k) => inputs[k] !== undefined && !IMAGE_INPUTS.has(k));
  const build: Record<string, any> = inputs.build ?? {};
  unknown.push(
    ...Object.keys(build)
      .filter((k) => build[k] !== undefined && !BUILD_INPUTS.has(k))
      .map((k) => `build.${k}`),
  );
  if (unknown.length > 0) throw new Error(`engine mode does not translate Image inputs: ${unknown.sort().join(", ")}`);
  // The provider pushes unless told not to; engine mode has no registry to push to.
  if (inputs.skipPush !== true) throw new Error("engine mode does not push images: set skipPush: true");
  // The provider's default is BuildKit ("BuilderBuildKit"), whose build needs a session.
  if (build.builderVersion !== "BuilderV1") {
    const got = build.builderVersion ?? "the provider's default, BuilderBuildKit";
    throw new Error(
      `engine mode builds with the classic builder only: set build.builderVersion to "BuilderV1" (got ${got}), or give the program an image the engine has (berth: berth:images.app)`,
    );
  }

  const context: string = build.context ?? ".";
  const contextDir = path.resolve(cwd, context);
  const dockerfile = path.resolve(cwd, build.dockerfile ?? path.join(context, "Dockerfile"));
  const inContext = path.relative(contextDir, dockerfile);
  if (inContext.startsWith("..") || path.isAbsolute(inContext))
    throw new Error(
      `engine mode builds with a Dockerfile inside the context: ${build.dockerfile} is outside ${context}`,
    );

  const dockerfilePath = inContext.split(path.sep).join("/");
  return {
    context: contextDir,
    options: {
      t: inputs.imageName,
      dockerfile: dockerfilePath,
      version: "1",
      // As the provider: its Docker client sends rm=0 (ImageBuildOptions.Remove unset), so the
      // classic builder keeps each step's container after a build that missed its cache.
      rm: false,
      ...(build.args && Object.keys(build.args).length > 0 ? { buildargs: build.args } : {}),
      ...(build.target ? { target: build.target } : {}),
      ...(build.platform ? { platform: build.platform } : {}),
      ...(build.network ? { networkmode: build.network } : {}),
    },
    state: {
      imageName: inputs.imageName,
      baseImageName: inputs.imageName,
      context,
      dockerfile: dockerfilePath,
      registryServer: "",
      ...(build.platform ? { platform: build.platform } : {}),
    },
  };
}
