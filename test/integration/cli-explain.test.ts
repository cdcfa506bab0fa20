import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";

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
});
