import type { ValidateFunction } from "ajv/dist/2020.js";
import { compileSchema } from "../json-schema.js";

let validator: ValidateFunction | undefined;

/** The first schema violation as "path message", or undefined when the report is valid. */
export function reportSchemaError(value: unknown): string | undefined {
  // The published contract, compiled once, and only when a report is given: SDPs and dumps never need ajv.
  const validate = (validator ??= compileSchema("schema/report.schema.json", { allErrors: false, strict: true }));
  if (validate(value)) return undefined;
  const e = validate.errors?.[0];
  return e ? `${e.instancePath || "/"} ${e.message ?? "is invalid"}` : "does not match the schema";
}
