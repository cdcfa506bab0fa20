import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { packageFileUrl } from "./package-path.js";
import type { Ajv2020 as Ajv2020Class, Options, ValidateFunction } from "ajv/dist/2020.js";

type AddFormats = (ajv: Ajv2020Class) => unknown;

/**
 * Compiles one of the package's JSON schemas (path relative to the package root). ajv and
 * ajv-formats are required here, on first use, instead of imported: only a config file or a report
 * given to explain needs them, and loading them costs more CPU than starting node. Both are
 * CommonJS, so require keeps every caller synchronous.
 */
export function compileSchema(path: string, options: Options): ValidateFunction {
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require("ajv/dist/2020.js") as { Ajv2020: typeof Ajv2020Class };
  const formats = require("ajv-formats") as AddFormats | { default: AddFormats };
  const addFormats = typeof formats === "function" ? formats : formats.default;
  const schema = JSON.parse(readFileSync(packageFileUrl(path), "utf8")) as object;
  const ajv = new Ajv2020(options);
  addFormats(ajv);
  return ajv.compile(schema);
}
