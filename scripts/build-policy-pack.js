// After `tsc`: makes dist/policy a policy pack of its own, so a team runs the compiled pack from the
// installed package (`pulumi preview --policy-pack node_modules/berth/dist/policy`). The pack needs
// its manifest and a package.json (PolicyPack reads the version); @pulumi/policy comes from the
// team's own node_modules (an optional peer dependency of berth).
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const out = path.join(root, "dist", "policy");
const source = JSON.parse(fs.readFileSync(path.join(root, "policy", "package.json"), "utf8"));
fs.copyFileSync(path.join(root, "policy", "PulumiPolicy.yaml"), path.join(out, "PulumiPolicy.yaml"));
const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  license: source.license,
  main: "index.js",
};
fs.writeFileSync(path.join(out, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
