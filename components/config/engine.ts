// The environment's own config keys: which engine it runs on and what kind of network it gets.
import { z } from "zod";
import { wholeNumber } from "../fields";
import { MAX_SUBNET_PREFIX_LENGTH } from "../subnets";

export const engineSchema = {
  docker: z
    .strictObject({
      host: z
        .string()
        .regex(/^(unix|tcp|ssh|npipe):\/\/\S+$/, {
          message: "an engine address such as unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host",
        })
        .describe(
          "the engine every Docker resource and gate talks to, e.g. ssh://user@host; unset: the local engine (or DOCKER_HOST)",
        )
        .optional(),
    })
    .optional(),
  network: z
    .strictObject({
      internal: z.boolean().describe("an internal bridge: no outside access, no published ports").optional(),
      subnetPool: z
        .string()
        .describe(
          "IPv4 block each stack's bridge takes its subnet from (the first free one, skipping the engine's networks and the host's routes); a swarm's overlay keeps the swarm's pool",
        )
        .optional(),
      subnetPrefixLength: wholeNumber(8, MAX_SUBNET_PREFIX_LENGTH)
        .describe(
          "size of a stack's subnet: 26 is 64 addresses (the stack uses 4, plus a gateway); the pool holds 2^(this − the pool's prefix length) stacks",
        )
        .optional(),
    })
    .optional(),
};
