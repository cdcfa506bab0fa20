// The resolve hook of record-imports.mjs; runs on the loader thread, which shares the environment.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(process.env["RTC_DOCTOR_IMPORT_LOG"], `${result.url}\n`);
  return result;
}
