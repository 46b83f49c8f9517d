// Defaults shared by components used on their own (outside a stack's config).
import { HardeningSettings, TierSettings, defaultsFor } from "./schema";

const test = defaultsFor("test");
export const DEFAULT_HARDENING: HardeningSettings = test.hardening;
export const DEFAULT_TIMING: TierSettings = test.tier;
export const DEFAULT_HOST_IP = test.ports.hostIp;
