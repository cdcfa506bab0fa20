import { performance } from "node:perf_hooks";
import { expect } from "vitest";
import { fileURLToPath } from "node:url";
import { BIN, runBounded, runCli, type CliResult } from "./cli.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The credential every hostile case hands to rtc-doctor (as a TURN credential, a bearer token, a
 * header value, inside an input file): no four characters of it in a row may appear in any output.
 */
export const SECRET = "Zq7#Kx9!Vw2$Mh4%Tj6&";

/** Every four-character piece of the secret: what "not even in part" means in a test. */
export function secretFragments(secret = SECRET): string[] {
  return Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(i, i + 4));
}

export interface HostileCase {
  /** What the case does wrong, for the test name and the bench line. */
  name: string;
  args: string[];
  /**
   * How long the configured timeouts let the run take when every wait runs to its bound, in
   * milliseconds: the figure the bench compares the run with. The hang bound is a few times this.
   */
  budgetMs: number;
  /** Words that must appear in stdout or stderr: what names the fault. */
  words: RegExp[];
  /** Exit codes the case may end with: 1 (findings) or 2 (bad input); never 0 for a fault, never 3. */
  codes?: (0 | 1 | 2)[];
  /** Fed to stdin (else stdin is /dev/null). */
  input?: string | Buffer;
  /** Run with file descriptor 0 closed, as `cmd <&-` does. */
  closedStdin?: boolean;
}

export interface CaseRun {
  result: CliResult;
  elapsedMs: number;
}

/** The hang bound: generous, a detector for runs that do not end, not a speed test. */
export function hangBoundMs(c: Pick<HostileCase, "budgetMs">): number {
  return 4 * c.budgetMs + 20_000;
}

export async function runCase(c: HostileCase): Promise<CaseRun> {
  const started = performance.now();
  const result = c.closedStdin
    ? // The shell closes fd 0, then becomes node: rtc-doctor starts with no stdin at all.
      await runBounded("/bin/sh", ["-c", 'exec 0<&- && exec "$0" "$@"', process.execPath, BIN, ...c.args], { cwd: ROOT, timeoutMs: hangBoundMs(c) })
    : await runCli(c.args, { timeoutMs: hangBoundMs(c), ...(c.input !== undefined ? { input: c.input } : {}) });
  return { result, elapsedMs: performance.now() - started };
}

/** A stack frame as Node prints them ("    at fn (file.js:1:2)"). */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** What every hostile case must hold: the right exit code, no stack trace, the fault named, no piece of the secret. */
export function expectContained(c: HostileCase, { result }: CaseRun): void {
  const output = `${result.stdout}\n${result.stderr}`;
  const context = `exit ${result.code}\n--- stderr\n${result.stderr.slice(0, 2000)}\n--- stdout\n${result.stdout.slice(0, 4000)}`;
  expect(c.codes ?? [1, 2], context).toContain(result.code);
  expect(output, context).not.toMatch(STACK_FRAME);
  expect(output, context).not.toMatch(/internal error|internal-error|Maximum call stack|Unhandled|TypeError|RangeError/);
  for (const word of c.words) expect(output, context).toMatch(word);
  const leaked = secretFragments().filter((f) => output.includes(f));
  expect(leaked, context).toEqual([]);
}
