import { createRequire } from "node:module";
import { formatWithOptions } from "node:util";
import type { ProgressEvent } from "../check.js";

interface DebugModule {
  enable(namespaces: string): void;
  log: (...args: unknown[]) => void;
  inspectOpts?: Record<string, unknown>;
}

/**
 * werift logs through `debug` (silent by default). Its own copy of `debug` is taken, resolved from
 * werift's directory, so the switch reaches werift's loggers whichever version it pins; the lines go
 * through `write`, so secrets and (with --redact) addresses are scrubbed from them too.
 */
export function enableWeriftDebug(write: (text: string) => void, color: boolean): boolean {
  try {
    const require = createRequire(import.meta.url);
    const debug = createRequire(require.resolve("werift"))("debug") as DebugModule;
    // Read when werift creates its loggers, which happens on its (lazy) import, after this.
    debug.inspectOpts = { ...(debug.inspectOpts ?? {}), colors: color };
    debug.log = (...args: unknown[]) => write(`${formatWithOptions({ colors: color }, ...args)}\n`);
    debug.enable([process.env["DEBUG"], "werift*"].filter(Boolean).join(","));
    return true;
  } catch {
    return false;
  }
}

/** One stderr line per phase start and end, for CI logs where no spinner runs. */
export function verboseProgress(write: (text: string) => void): (event: ProgressEvent) => void {
  const started = new Map<string, number>();
  return (event) => {
    if (event.state === "start") {
      started.set(event.phase, Date.now());
      write(`rtc-doctor: ${event.phase}: ${event.text}\n`);
    } else {
      write(`rtc-doctor: ${event.phase}: done in ${Date.now() - (started.get(event.phase) ?? Date.now())} ms\n`);
    }
  };
}
