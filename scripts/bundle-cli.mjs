// The CLI as a few files instead of ~100: Node 20 pays ~0.5-1 ms per ES module it loads, which is
// most of what `--version`, `--help` or `explain` cost beyond Node itself. Packages stay outside
// (they load as before, and only when a command needs them); each command's action stays its own
// chunk, loaded on demand. The library (dist/, with its types) is tsc's output, unbundled.
// bundle/ sits at the package root like dist/, so "../package.json" and "../schema/" still resolve.
import { build } from "esbuild";
import { rmSync } from "node:fs";

rmSync(new URL("../bundle", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: [new URL("../dist/cli/main.js", import.meta.url).pathname],
  outdir: new URL("../bundle", import.meta.url).pathname,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
