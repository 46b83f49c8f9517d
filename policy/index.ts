// The policy pack: `pulumi preview --policy-pack policy`. The only file that constructs a
// PolicyPack — doing so starts the analyzer server, so nothing else may import this file.
// Every policy is mandatory; a run can change any of them without code:
//   pulumi preview --policy-pack policy --policy-pack-config levels.json
// with levels.json e.g. {"all": "advisory", "container-read-only-rootfs": "mandatory"}.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policyPackArgs } from "./crossguard";

new PolicyPack(PACK_NAME, policyPackArgs());
