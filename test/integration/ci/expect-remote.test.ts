import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportFrom, runCli } from "../../helpers/cli.js";
import { startServeProcess, type ServeProcess } from "../../helpers/serve-process.js";
import { freeUdpPort } from "../../helpers/ports.js";
import type { Report } from "../../../src/report/types.js";

// connect:remote and rtt<N judged on a real remote attempt: rtc-doctor serve as the far end.
describe("--expect connect:remote and rtt<N through --signal", () => {
  let serve: ServeProcess;
  beforeAll(async () => {
    serve = await startServeProcess(["--host", "127.0.0.1", "--port", "0", "--stun-port", "0"]);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  async function run(args: string[]): Promise<{ code: number | null; report: Report }> {
    const r = await runCli([...args, "--json", "--no-connect", "--no-nat"]);
    return { code: r.code, report: reportFrom(r) };
  }

  it("a remote attempt that connects meets connect:remote and a generous rtt bound", async () => {
    const { code, report } = await run([...serve.whipCommand, "--expect", "connect:remote", "--expect", "rtt<5000"]);
    expect(report.expectations?.map((e) => [e.expectation, e.met])).toEqual([
      ["connect:remote", true],
      ["rtt<5000", true],
    ]);
    expect(code).toBe(0);
  });

  it("a far end that cannot be reached fails connect:remote with the stall as the cause", async () => {
    const dead = await freeUdpPort();
    // Nothing listens on that TCP port either (it was a free UDP port, and nothing was started there).
    const { code, report } = await run([
      "check", "--signal", `http://127.0.0.1:${dead}/whip`, "--protocol", "whip", "--stun", serve.whipCommand[6]!,
      "--timeout", "1000", "--connect-timeout", "2000", "--expect", "connect:remote",
    ]);
    expect(report.expectations?.[0]).toMatchObject({ expectation: "connect:remote", met: false });
    const ids = report.findings.map((f) => f.id);
    expect(ids).toContain("expectation-failed");
    expect(ids.indexOf("connection-stalled")).toBeLessThan(ids.indexOf("expectation-failed"));
    expect(code).toBe(1);
  });
});
