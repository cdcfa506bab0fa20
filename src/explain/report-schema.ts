import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

type AddFormats = (ajv: Ajv2020) => unknown;
// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

let validator: ValidateFunction | undefined;

/** The published contract, compiled once; src/explain and dist/explain both sit two levels below the package root. */
function compiled(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL("../../schema/report.schema.json", import.meta.url), "utf8")) as object;
    const ajv = new Ajv2020({ allErrors: false, strict: true });
    addFormats(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

/** The first schema violation as "path message", or undefined when the report is valid. */
export function reportSchemaError(value: unknown): string | undefined {
  const validate = compiled();
  if (validate(value)) return undefined;
  const e = validate.errors?.[0];
  return e ? `${e.instancePath || "/"} ${e.message ?? "is invalid"}` : "does not match the schema";
}
