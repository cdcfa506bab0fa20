import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN } from "../../helpers/cli.js";
import { startUdpStunTarget } from "../../helpers/udp-stun-target.js";
import { expectValidReport } from "../../helpers/schema.js";
import type { Report } from "../../../src/report/types.js";

/** Starts the CLI against a STUN target that never answers, and sends SIGINT once the first request arrives. */
async function interruptedRun(format: string, signal: NodeJS.Signals = "SIGINT"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const target = await startUdpStunTarget();
  try {
    const child = spawn(
      process.execPath,
      [BIN, "check", "--format", format, "--stun", `stun:127.0.0.1:${target.port}`, "--timeout", "60000", "--no-gather", "--no-nat", "--no-connect"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    // The probe's first datagram is the started-marker: the run is under way and waiting.
    await target.firstPacket;
    child.kill(signal);
    const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const code = await closed;
    clearTimeout(guard);
    return { code, stdout, stderr };
  } finally {
    await target.stop();
  }
}

describe("Ctrl-C during a run", () => {
  it("ends with exit 130 and a partial JSON report that still matches the schema", async () => {
    const r = await interruptedRun("json");
    expect(r.code).toBe(130);
    const report = JSON.parse(r.stdout) as Report;
    expectValidReport(report);
    expect(report.summary).toMatchObject({ interrupted: true, passed: false });
    expect(report.servers[0]?.error).toEqual({ code: "interrupted", detail: "the run was interrupted before this probe finished", message: "the run was interrupted before this probe finished" });
    expect(r.stderr).toMatch(/rtc-doctor: interrupted; the report is partial/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints the human report with an INTERRUPTED summary", async () => {
    const r = await interruptedRun("human");
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/INTERRUPTED \(partial report\)/);
    expect(r.stdout).toMatch(/exit 130/);
  });
});

describe("SIGTERM (a cancelled CI job)", () => {
  it("is handled like Ctrl-C: a partial report and exit 130", async () => {
    const r = await interruptedRun("json", "SIGTERM");
    expect(r.code).toBe(130);
    const report = JSON.parse(r.stdout) as Report;
    expectValidReport(report);
    expect(report.summary).toMatchObject({ interrupted: true });
  });
});

describe("check({ signal }) from the API", () => {
  it("returns a partial report as soon as the signal aborts, the unfinished probe marked interrupted", async () => {
    const { check } = await import("../../../src/check.js");
    const silent = await startUdpStunTarget();
    const controller = new AbortController();
    try {
      const running = check({ stun: [`stun:127.0.0.1:${silent.port}`], timeoutMs: 60_000, gather: false, nat: false, connect: false, signal: controller.signal });
      await silent.firstPacket;
      controller.abort();
      const report = await running;
      expectValidReport(report);
      expect(report.summary).toMatchObject({ interrupted: true, passed: false });
      expect(report.servers[0]?.error?.code).toBe("interrupted");
    } finally {
      await silent.stop();
    }
  });

  it("does not probe at all with a signal that is already aborted", async () => {
    const { check } = await import("../../../src/check.js");
    const silent = await startUdpStunTarget();
    try {
      const report = await check({ stun: [`stun:127.0.0.1:${silent.port}`], gather: false, nat: false, connect: false, signal: AbortSignal.abort() });
      expect(report.servers[0]).toMatchObject({ error: { code: "interrupted" }, durationMs: 0, exchanges: [] });
      expect(report.summary.interrupted).toBe(true);
    } finally {
      await silent.stop();
    }
  });
});
