// `node --import ./record-imports.mjs ...` with RTC_DOCTOR_IMPORT_LOG=<file>: appends to that file
// every module the process loads, one URL or path a line. ES modules are seen by a resolve hook;
// CommonJS files a package requires internally never pass it, so require's cache is added at exit.
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const log = process.env["RTC_DOCTOR_IMPORT_LOG"];
if (log) {
  register("./record-imports-hooks.mjs", import.meta.url);
  const require = createRequire(import.meta.url);
  process.on("exit", () => appendFileSync(log, Object.keys(require.cache).map((path) => `${path}\n`).join("")));
}
