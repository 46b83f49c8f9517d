// The image resources of an environment: the public (or overridden) images are referenced as
// RemoteImage; the workload image, unless overridden, is built from services/Dockerfile.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { distRoot } from "../gate/command-line";
import { ImageRole, ImageStackName, ResolvedImage } from "./images";

export interface ImageResourceArgs {
  /** Prefix of the environment's Docker names, e.g. berth-test. */
  prefix: string;
  imageStack: ImageStackName;
  opts: pulumi.CustomResourceOptions;
}

/** The image a role's containers run, as an id or name that changes when the image does. */
export function imageFor(name: string, role: ImageRole, resolved: ResolvedImage, a: ImageResourceArgs): pulumi.Output<string> {
  if (role === "app" && !resolved.overridden) {
    const services = path.join(path.dirname(distRoot()), "services");
    return new docker.Image(
      `${name}-app-image`,
      {
        imageName: `${a.prefix.toLowerCase()}-workload:${a.imageStack}`,
        build: { context: path.relative(process.cwd(), services) || ".", args: { BASE_IMAGE: resolved.nodeBase ?? "" } },
        skipPush: true,
      },
      a.opts,
    ).imageName;
  }
  return new docker.RemoteImage(`${name}-${role}-image`, { name: resolved.ref, keepLocally: true }, a.opts).imageId;
}
