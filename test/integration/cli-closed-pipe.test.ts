import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";

/** Runs the CLI with its stdout read by nobody: the read end is closed before the process writes. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const bound = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`rtc-doctor ${args.join(" ")} did not end with its reader gone`));
    }, 30_000);
    child.once("exit", (code) => {
      clearTimeout(bound);
      resolve({ code, stderr });
    });
  });
}

describe("a reader that goes away (rtc-doctor ... | head -1)", () => {
  it.each([["--help"], ["explain", "--help"], ["--version"], ["explain", "test/fixtures/sdp/werift-answer-private-host-only.sdp"]])(
    "%s: no stack trace, the command's own exit code",
    async (...args) => {
      const { code, stderr } = await withClosedStdout(args);
      expect(stderr).not.toMatch(/EPIPE|node:events|at .*\(/);
      expect(code).toBe(args[0] === "explain" && args[1] !== "--help" ? 1 : 0);
    },
  );
});
