import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "vitest";

const schema = JSON.parse(readFileSync(new URL("../../schema/report.schema.json", import.meta.url), "utf8")) as { $id: string };
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(schema);
const validateNat = ajv.compile({ $ref: `${schema.$id}#/$defs/nat` });

/** A NatFact goes into the report as it is: it must match the published contract's `nat`. */
export function expectValidNat(fact: unknown): void {
  const ok = validateNat(JSON.parse(JSON.stringify(fact)));
  expect(ok ? [] : validateNat.errors).toEqual([]);
}
