// Image stacks: Alpine for fast test environments, regular Debian-based images for dev and prod.
// The run-as user differs between the stacks (postgres is uid 70 on Alpine, 999 on Debian), so it
// travels with the image.
import { z } from "zod";
import { EnvironmentType } from "./fields";
import { APP_USER } from "./workload/contract";

export type ImageStackName = "alpine" | "regular";
export type ImageRole = "postgres" | "redis" | "app";

/** A stack's public image for one role (IMAGE_STACKS). */
export type ImageChoice = Omit<ResolvedImage, "overridden">;

/** Public images per stack. The app image is built from services/Dockerfile on `nodeBase`. */
export const IMAGE_STACKS: Record<ImageStackName, Record<ImageRole, ImageChoice>> = {
  alpine: {
    postgres: { ref: "postgres:16-alpine", user: "70:70" },
    redis: { ref: "redis:7-alpine", user: "999:1000" },
    app: { ref: "berth/workload:alpine", user: APP_USER, nodeBase: "node:20-alpine" },
  },
  regular: {
    postgres: { ref: "postgres:16-bookworm", user: "999:999" },
    redis: { ref: "redis:7-bookworm", user: "999:999" },
    app: { ref: "berth/workload:regular", user: APP_USER, nodeBase: "node:20-bookworm-slim" },
  },
};

// One image reference: [registry[:port]/]path[:tag][@sha256:digest], lower-case path components.
const IMAGE_REF =
  /^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

export function isImageRef(ref: string): boolean {
  return ref.length <= 255 && IMAGE_REF.test(ref);
}

/** Puts a registry prefix ("mirror.internal:5000/hub") in front of a public image reference. */
export function withRegistryPrefix(ref: string, prefix: string | undefined): string {
  if (!prefix) return ref;
  return `${prefix.replace(/\/+$/, "")}/${ref}`;
}

/** The image of one role (Postgres, Redis, the app), as the settings resolve it. */
export interface ResolvedImage {
  /** Full image reference. */
  ref: string;
  /** "uid:gid" the container runs as. */
  user: string;
  /** Base image the workload is built on (only for the app image). */
  nodeBase?: string;
  /** True when the reference came from the stack's `images` override, false for the stack default. */
  overridden: boolean;
}

/**
 * The image for one role: the per-image override as given, else the stack's public image with the
 * registry prefix applied. The prefix rewrites public images only: an override is already exact.
 */
export function resolveImage(
  stack: ImageStackName,
  role: ImageRole,
  override: string | undefined,
  registryPrefix: string | undefined,
): ResolvedImage {
  const choice = IMAGE_STACKS[stack][role];
  if (override !== undefined) return { ...choice, ref: override, overridden: true };
  return {
    ...choice,
    ref: role === "app" ? choice.ref : withRegistryPrefix(choice.ref, registryPrefix),
    nodeBase: choice.nodeBase === undefined ? undefined : withRegistryPrefix(choice.nodeBase, registryPrefix),
    overridden: false,
  };
}

const imageRef = z
  .string()
  .refine(isImageRef, { message: "a Docker image reference such as postgres:16-alpine or registry:5000/team/app:1.2" });

/** The config keys that choose images: the stack, a registry prefix, and per-image overrides. */
export const imageSchema = {
  useAlpine: z.boolean().describe("the Alpine image stack; false: the regular (Debian-based) one").optional(),
  registryPrefix: z
    .string()
    .regex(/^[a-zA-Z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*\/?$/, {
      message: 'a registry host with optional path, such as "mirror.internal:5000/hub"',
    })
    .describe('rewrites every public image, e.g. "mirror.internal:5000/hub"')
    .optional(),
  images: z
    .strictObject({
      postgres: imageRef.describe("exact Postgres image (official image layout)").optional(),
      redis: imageRef.describe("exact Redis image").optional(),
      app: imageRef.describe("exact workload image; unset: built from services/Dockerfile").optional(),
    })
    .optional(),
};

/** test runs the Alpine stack; dev and prod the regular one. */
export function useAlpineDefault(environment: EnvironmentType): boolean {
  return environment === "test";
}

export function imageStackOf(useAlpine: boolean): ImageStackName {
  return useAlpine ? "alpine" : "regular";
}
