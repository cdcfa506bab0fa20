import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, reportFrom, runBounded, runCli, type CliResult } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";

const DUMPS = "test/fixtures/webrtc-internals";
const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-cli-explain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * `cat FILE | rtc-doctor explain - ...` as a shell runs it: the pipe's descriptor is what a user's is,
 * and a synchronous read of it ends in EAGAIN once cat falls behind (it did, past 64 KiB).
 */
function pipeInto(input: Buffer, args: string[]): Promise<CliResult> {
  const file = join(dir, `piped-${input.length}`);
  writeFileSync(file, input);
  return runBounded("sh", ["-c", `cat "$1" | exec "$0" "$2" explain - ${args.join(" ")}`, process.execPath, file, BIN], { cwd: process.cwd(), timeoutMs: 30_000 });
}

describe("rtc-doctor explain (built CLI, no network)", () => {
  it("prints the early-offer cause first as JSON and exits 1", async () => {
    const r = await runCli(["explain", "test/fixtures/sdp/werift-offer-before-gathering.sdp", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { findings: { id: string }[] };
    expect(report.findings[0]?.id).toBe("sdp-without-candidates");
    expectValidReport(report);
  });

  it("names private host candidates first in the human report", async () => {
    const r = await runCli(["explain", "test/fixtures/sdp/werift-answer-private-host-only.sdp"]);
    expect(r.code).toBe(1);
    expect(r.stdout.indexOf("[far-side-private-candidates]")).toBeGreaterThan(0);
    expect(r.stdout.match(/\[[a-z-]+\]/)?.[0]).toBe("[far-side-private-candidates]");
  });

  it("exits 0 on the healthy pair", async () => {
    const r = await runCli(["explain", "test/fixtures/sdp/werift-offer-answer.json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it.each([
    [["explain", "test/fixtures/README.md"], /neither an SDP/],
    [["explain", "/nonexistent/capture.sdp"], /cannot read '\/nonexistent\/capture.sdp' \(ENOENT\)/],
  ])("bad input %j: one line on stderr, exit 2", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it.each([
    ["chrome-healthy", 0, undefined],
    ["chrome-stuck-checking", 1, "checks-unanswered"],
    ["chrome-offer-before-gathering", 1, "sdp-without-candidates"],
    ["chrome-audio-far-side-silent", 1, "media-one-way"],
  ])("a real Chromium dump, %s, as downloaded (.gz) and uncompressed (.txt): exit %i, top finding %s", async (name, code, top) => {
    for (const ext of [".gz", ".txt"]) {
      const r = await runCli(["explain", `${DUMPS}/${name}${ext}`, "--json"]);
      expect(r.code, r.stderr).toBe(code);
      const report = reportFrom(r);
      expect(report.findings.find((f) => f.severity === "error")?.id).toBe(top);
    }
  });

  it("gzip is known by its bytes: the .gz renamed to .json still reads", async () => {
    const renamed = join(dir, "capture.json");
    copyFileSync(`${DUMPS}/chrome-stuck-checking.gz`, renamed);
    const r = await runCli(["explain", renamed, "--json"]);
    expect(r.code, r.stderr).toBe(1);
    expect(reportFrom(r).findings[0]?.id).toBe("checks-unanswered");
  });

  it("explain - reads a pipe of any size: a 2 MiB dump and the 4 KiB .gz", async () => {
    const text = readFileSync(`${DUMPS}/chrome-stuck-checking.txt`);
    // The same JSON with whitespace after it: still the dump, now 2 MiB, 32 times a pipe's buffer.
    const big = Buffer.concat([text, Buffer.alloc(2 * 1024 * 1024 - text.length, 0x0a)]);
    for (const input of [big, readFileSync(`${DUMPS}/chrome-stuck-checking.gz`)]) {
      const r = await pipeInto(input, ["--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(1);
      expect(reportFrom(r).findings[0]?.id).toBe("checks-unanswered");
    }
  });
});
