import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Report } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";

// Bounds for a failing run; a passing one is not timed.
const FAST = ["--no-nat", "--no-connect", "--timeout", "3000", "--connect-timeout", "8000"];

describe("rtc-doctor check --signal with audio, against rtc-doctor serve (both from dist/)", () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServeProcess(["--host", "127.0.0.1", "--port", "0", "--stun-port", "0", "--stun-alt-port", "0"]);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  test("Pipecat: --expect media:both is met; the JSON report carries dtls and media and validates", async () => {
    const result = await runCli([...serve.pipecatCommand, ...FAST, "--expect", "media:both", "--json"]);
    expect(result.stderr).toBe("");
    const report = JSON.parse(result.stdout) as Report;
    expectValidReport(report);
    expect(result.code).toBe(0);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.dtls).toMatchObject({ state: "connected", fingerprintVerified: true });
    expect(remote?.media?.farSideReports.packetsReceived).toBeGreaterThan(0);
    expect(remote?.media?.received.packets).toBeGreaterThan(0);
    expect(report.expectations).toEqual([expect.objectContaining({ expectation: "media:both", met: true })]);
  });

  test("WHIP: media:receive is not measured (WHIP publishes only), exit 1; human, Markdown and JUnit show the audio", async () => {
    const json = await runCli([...serve.whipCommand, ...FAST, "--expect", "media:send", "--expect", "media:receive", "--json"]);
    const report = JSON.parse(json.stdout) as Report;
    expectValidReport(report);
    expect(json.code).toBe(1);
    expect(report.expectations?.map((e) => [e.expectation, e.met])).toEqual([
      ["media:send", true],
      ["media:receive", false],
    ]);
    expect(report.expectations?.[1]?.actual).toMatch(/^not measured: .*sendonly/);

    const human = await runCli([...serve.whipCommand, ...FAST]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/DTLS connected, rtc-doctor the (client|server), handshake \d+ ms, SRTP_\w+, fingerprint verified/);
    expect(human.stdout).toMatch(/-> to the far side: \d+ packets sent, far side received \d+/);
    const markdown = await runCli([...serve.whipCommand, ...FAST, "--format", "markdown"]);
    expect(markdown.stdout).toMatch(/\| Audio via `[^`]+` \| RTP \| ✅ \|/);
    const junit = await runCli([...serve.whipCommand, ...FAST, "--format", "junit"]);
    expect(junit.stdout).toMatch(/to the far side: \d+ packets sent, far side received \d+/);
  });

  test("--no-audio: the offer has no audio m-line, the report no media facts, and media:both is not measured", async () => {
    const result = await runCli([...serve.pipecatCommand, ...FAST, "--no-audio", "--expect", "media:both", "--json"]);
    const report = JSON.parse(result.stdout) as Report;
    expectValidReport(report);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.ok).toBe(true);
    expect(remote?.media).toBeUndefined();
    expect(remote?.signalling?.offer?.media.map((m) => m.kind)).toEqual(["application"]);
    expect(report.expectations?.[0]).toMatchObject({ expectation: "media:both", met: false });
    expect(report.expectations?.[0]?.actual).toMatch(/^not measured: no audio was offered \(turned off with --no-audio\)/);
    expect(result.code).toBe(1);
  });

  test("--no-audio without --signal is a usage error naming it (exit 2, one line)", async () => {
    const result = await runCli(["check", "--no-audio", "--no-nat", "--no-connect", "--no-gather"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^rtc-doctor: --no-audio applies to --signal, and no --signal URL was given$/m);
  });
});
