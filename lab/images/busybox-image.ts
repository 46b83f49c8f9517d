// A 2 MB image built offline from Debian's busybox-static: enough for healthcheck and gate tests.
// No registry is reachable on CI machines, so tests never `docker pull`.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BUSYBOX_IMAGE = "berth-test/busybox:local";
const BUSYBOX_BINARY = "/bin/busybox";
const APPLETS = [
  "sh",
  "sleep",
  "echo",
  "cat",
  "touch",
  "rm",
  "test",
  "nc",
  "httpd",
  "dd",
  "head",
  "id",
  "true",
  "false",
  "wget",
  "ls",
  "mkdir",
];

/** Imports the image once per engine; later calls return at once. */
export function ensureBusyboxImage(): string {
  try {
    execFileSync("docker", ["image", "inspect", BUSYBOX_IMAGE], { stdio: "ignore" });
    return BUSYBOX_IMAGE;
  } catch {
    // not there yet: build it below
  }
  const root = mkdtempSync(join(tmpdir(), "berth-busybox-"));
  try {
    for (const dir of ["bin", "tmp", "etc"]) mkdirSync(join(root, dir));
    copyFileSync(BUSYBOX_BINARY, join(root, "bin", "busybox"));
    for (const applet of APPLETS) symlinkSync("busybox", join(root, "bin", applet));
    execFileSync(
      "sh",
      ["-c", `tar -C "${root}" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - ${BUSYBOX_IMAGE}`],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    return BUSYBOX_IMAGE;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
