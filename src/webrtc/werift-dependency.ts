import { createRequire } from "node:module";

/**
 * A package as werift itself loads it (werift's own copy, when npm did not hoist it), so that a
 * workaround reaches the very module object werift calls into. Undefined when it is not there.
 */
export function weriftDependency<T>(name: string): T | undefined {
  // import.meta.resolve is missing where a test runner rewrote this module; npm hoists werift's dependencies next to ours then too.
  const from = typeof import.meta.resolve === "function" ? import.meta.resolve("werift") : import.meta.url;
  try {
    return createRequire(from)(name) as T;
  } catch {
    return undefined;
  }
}
