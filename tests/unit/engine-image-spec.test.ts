// Engine mode's translation of docker.Image inputs to one Engine API build call, without an
// engine: a classic build with build args field by field, the rest of what it translates,
// then every input it refuses, with the message that says what to change.
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT, runProgram } from "../../lab/berth-program";
import { resourceNamed } from "../../testing/recorder";
import { imageBuildCall } from "../../testing/engine/image-spec";

const IMAGE = "docker:index/image:Image";
const DATA = "berth-e2e/data:x";

describe("engine mode: docker.Image translation", function () {
  this.timeout(30_000);

  it("translates a classic build with build args field by field (as a team's Dockerfile would use it)", () => {
    const inputs = {
      imageName: "team/db-seed:1",
      skipPush: true,
      buildOnPreview: false,
      build: {
        context: "components/postgres/template",
        builderVersion: "BuilderV1",
        args: { BASE_IMAGE: `${DATA}@sha256:mock`, TEMPLATE_USER: "berth", TEMPLATE_DB: "berth" },
      },
    };
    assert.deepEqual(imageBuildCall(inputs, REPO_ROOT), {
      context: join(REPO_ROOT, "components/postgres/template"),
      options: { t: "team/db-seed:1", dockerfile: "Dockerfile", version: "1", rm: false, buildargs: inputs.build.args },
      state: {
        imageName: "team/db-seed:1",
        baseImageName: "team/db-seed:1",
        context: "components/postgres/template",
        dockerfile: "Dockerfile",
        registryServer: "",
      },
    });
  });

  it("translates the rest of what it accepts: a Dockerfile elsewhere in the context, target, platform, network; defaults", () => {
    const call = imageBuildCall(
      {
        imageName: "team/app:1",
        skipPush: true,
        buildOnPreview: true,
        build: {
          context: "app",
          dockerfile: "app/docker/Dockerfile.ci",
          builderVersion: "BuilderV1",
          target: "runtime",
          platform: "linux/amd64",
          network: "host",
          args: {},
        },
      },
      "/work/prog",
    );
    assert.deepEqual(call, {
      context: "/work/prog/app",
      options: {
        t: "team/app:1",
        dockerfile: "docker/Dockerfile.ci",
        version: "1",
        rm: false,
        target: "runtime",
        platform: "linux/amd64",
        networkmode: "host",
      },
      state: {
        imageName: "team/app:1",
        baseImageName: "team/app:1",
        context: "app",
        dockerfile: "docker/Dockerfile.ci",
        registryServer: "",
        platform: "linux/amd64",
      },
    });
    // No build block: the provider's defaults, context "." and ./Dockerfile. (builderVersion is
    // then BuildKit, refused below; here it is given.)
    assert.deepEqual(
      imageBuildCall({ imageName: "x", skipPush: true, build: { builderVersion: "BuilderV1" } }, "/p").options,
      { t: "x", dockerfile: "Dockerfile", version: "1", rm: false },
    );
  });

  it("fails on every input it does not translate, naming them all", () => {
    assert.throws(
      () =>
        imageBuildCall(
          {
            imageName: "x",
            skipPush: true,
            registry: { server: "r" },
            build: { builderVersion: "BuilderV1", cacheFrom: { images: ["a"] }, addHosts: ["h:1.2.3.4"] },
          },
          "/p",
        ),
      { message: "engine mode does not translate Image inputs: build.addHosts, build.cacheFrom, registry" },
    );
  });

  it("fails when it would have to push: skipPush unset means push to the provider", () => {
    assert.throws(() => imageBuildCall({ imageName: "x", build: { builderVersion: "BuilderV1" } }, "/p"), {
      message: "engine mode does not push images: set skipPush: true",
    });
  });

  it("fails on BuildKit, the provider's default, saying what to set", async () => {
    assert.throws(
      () => imageBuildCall({ imageName: "x", skipPush: true, build: { builderVersion: "BuilderBuildKit" } }, "/p"),
      {
        message:
          'engine mode builds with the classic builder only: set build.builderVersion to "BuilderV1" (got BuilderBuildKit), or give the program an image the engine has (berth: berth:images.app)',
      },
    );
    // berth's own workload image is a BuildKit build: engine mode needs berth:images.app.
    const run = await runProgram("test");
    assert.throws(
      () => imageBuildCall(resourceNamed(run, IMAGE, "berth-app-image").inputs as { imageName: string }, REPO_ROOT),
      {
        message:
          'engine mode builds with the classic builder only: set build.builderVersion to "BuilderV1" (got the provider\'s default, BuilderBuildKit), or give the program an image the engine has (berth: berth:images.app)',
      },
    );
  });

  it("fails on a Dockerfile outside the context", () => {
    assert.throws(
      () =>
        imageBuildCall(
          {
            imageName: "x",
            skipPush: true,
            build: { context: "app", dockerfile: "Dockerfile", builderVersion: "BuilderV1" },
          },
          "/p",
        ),
      {
        message: "engine mode builds with a Dockerfile inside the context: Dockerfile is outside app",
      },
    );
  });
});
