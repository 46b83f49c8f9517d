// The environment's own config keys: which engine it runs on and what kind of network it gets.
import { z } from "zod";

export const engineSchema = {
  docker: z
    .strictObject({
      host: z
        .string()
        .regex(/^(unix|tcp|ssh|npipe):\/\/\S+$/, { message: "an engine address such as unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host" })
        .describe("the engine every Docker resource and gate talks to, e.g. ssh://user@host; unset: the local engine (or DOCKER_HOST)")
        .optional(),
    })
    .optional(),
  network: z
    .strictObject({
      internal: z.boolean().describe("an internal bridge: no outside access, no published ports").optional(),
    })
    .optional(),
};
