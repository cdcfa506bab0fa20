import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/report/types.js";
import { expectValidReport } from "./schema.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = `${root}bin/rtc-doctor.js`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would (node bin/rtc-doctor.js), with a clean colour environment
 * unless the test sets one. The outer bound only guards the test run; the CLI bounds its own waits.
 */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string | Buffer } = {}): Promise<CliResult> {
  if (!existsSync(`${root}bundle/main.js`)) throw new Error("bundle/ is missing: run `npm run build` (npm test does it)");
  // Settings from the developer's shell or a CI runner must not change what a test sees.
  const inherited = ["NO_COLOR", "FORCE_COLOR", "RTC_DOCTOR_ICE_SERVERS", "RTC_DOCTOR_TURN_CREDENTIAL", "RTC_DOCTOR_TURN_SECRET", "RTC_DOCTOR_TOKEN", "GITHUB_STEP_SUMMARY"];
  const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(inherited.map((k) => [k, undefined])), ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return runBounded(process.execPath, [BIN, ...args], { cwd: options.cwd ?? root, env, timeoutMs: options.timeoutMs ?? 30_000, input: options.input });
}

/**
 * Runs a command to its end and collects its output. The bound only guards the test run: past it
 * the command is killed and the test fails with what it printed on stderr.
 */
export function runBounded(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number; input?: string | Buffer },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    if (options.input !== undefined && child.stdin) {
      // The command may stop reading early (a size bound); that is its right, not a test failure.
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} did not exit within ${options.timeoutMs} ms\n${stderr}`));
    }, options.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Any ANSI escape sequence. */
export const ANSI = /\u001b\[/;

/**
 * The JSON report a CLI run printed, validated against the published schema. When stdout is not
 * JSON, the error shows what the run printed instead (plus `context`, e.g. a server's log).
 */
export function reportFrom(result: { code: number | null; stdout: string; stderr: string }, context = ""): Report {
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}${context ? `\n${context}` : ""}`);
  }
  expectValidReport(report);
  return report;
}
