// The image resources of an environment: the public (or overridden) images are referenced as
// RemoteImage; the workload image, unless overridden, is built from services/Dockerfile.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { distRoot } from "../gate/command-line";
import { ImageRole, ImageStackName, ResolvedImage } from "../images";

export interface ImageResourceArgs {
  /** Prefix of the environment's Docker names, e.g. berth-test. */
  prefix: string;
  imageStack: ImageStackName;
  opts: pulumi.CustomResourceOptions;
}

/** The image a role's containers run, as an id or name that changes when the image does. */
export function imageFor(
  name: string,
  role: ImageRole,
  resolved: ResolvedImage,
  a: ImageResourceArgs,
): pulumi.Output<string> {
  return imageOf(name, role, resolved, a).id;
}

export interface ImageOutputs {
  /** What a container on this engine runs: the image id (or the built image's name). */
  id: pulumi.Output<string>;
  /**
   * What another engine pulls: `<repository>@sha256:…` once the image was pulled from a registry
   * (every swarm node then runs exactly this image), else the reference as given.
   */
  pinnedRef: pulumi.Output<string>;
}

/** The image resource of a role and both ways of naming it. */
export function imageOf(name: string, role: ImageRole, resolved: ResolvedImage, a: ImageResourceArgs): ImageOutputs {
  if (role === "app" && !resolved.overridden) {
    const services = path.join(path.dirname(distRoot()), "services");
    const built = new docker.Image(
      `${name}-app-image`,
      {
        imageName: `${a.prefix.toLowerCase()}-workload:${a.imageStack}`,
        build: {
          context: path.relative(process.cwd(), services) || ".",
          args: { BASE_IMAGE: resolved.nodeBase ?? "" },
        },
        skipPush: true,
      },
      a.opts,
    ).imageName;
    return { id: built, pinnedRef: built };
  }
  const image = new docker.RemoteImage(`${name}-${role}-image`, { name: resolved.ref, keepLocally: true }, a.opts);
  return { id: image.imageId, pinnedRef: image.repoDigest.apply((digest) => (digest ? digest : resolved.ref)) };
}
