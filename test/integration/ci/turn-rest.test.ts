import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../helpers/coturn.js";
import { runCli } from "../../helpers/cli.js";
import { expectValidReport } from "../../helpers/schema.js";
import type { Report } from "../../../src/report/types.js";

// TURN REST credentials against a real coturn with use-auth-secret: minted ones are accepted,
// expired ones are refused by coturn and explained, and the shared secret never leaves the process.
describe("--turn-secret against coturn's use-auth-secret", () => {
  let coturn: Coturn;
  const secret = `rest-${randomBytes(8).toString("hex")}`;

  beforeAll(async () => {
    coturn = await startCoturn({ tls: false, extraArgs: ["--use-auth-secret", `--static-auth-secret=${secret}`] });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  async function run(args: string[], env?: NodeJS.ProcessEnv) {
    const r = await runCli(["check", "--json", "--no-nat", "--no-gather", "--no-connect", "--turn", `turn:127.0.0.1:${coturn.port}`, ...args], { env });
    let report: Report;
    try {
      report = JSON.parse(r.stdout) as Report;
    } catch {
      throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}\n${coturn.logs().slice(-2000)}`);
    }
    expectValidReport(report);
    expect(r.stdout + r.stderr).not.toContain(secret);
    return { code: r.code, report };
  }

  it("mints credentials coturn accepts, and records only their expiry", async () => {
    const { code, report } = await run(["--turn-secret", secret, "--turn-ttl", "600", "--turn-user", "ci", "--expect", "relay:udp"]);
    expect(report.servers[0]).toMatchObject({ ok: true, restCredential: { minted: true } });
    expect(report.servers[0]?.restCredential?.remainingSec).toBeGreaterThan(0);
    expect(report.servers[0]?.restCredential?.remainingSec).toBeLessThanOrEqual(600);
    expect(report.expectations).toEqual([expect.objectContaining({ expectation: "relay:udp", met: true })]);
    expect(code).toBe(0);
  });

  it("takes the secret from RTC_DOCTOR_TURN_SECRET", async () => {
    const { code, report } = await run([], { RTC_DOCTOR_TURN_SECRET: secret });
    expect(report.servers[0]?.ok).toBe(true);
    expect(code).toBe(0);
  });

  it("expired credentials: coturn answers 401 and the finding says the expiry is in the past", async () => {
    const { code, report } = await run(["--turn-secret", secret, "--turn-ttl=-120"]);
    expect(code).toBe(1);
    expect(report.servers[0]?.error).toMatchObject({ code: "wrong-credentials", stunErrorCode: 401 });
    expect(report.servers[0]?.restCredential).toMatchObject({ minted: true });
    expect(report.servers[0]?.restCredential?.remainingSec).toBeLessThan(0);
    const finding = report.findings.find((f) => f.id === "turn-auth-failed");
    expect(finding?.explanation).toMatch(/TURN REST username's expiry is in the past/);
    expect(finding?.evidence.map((e) => e.path)).toContain("/servers/0/restCredential");
  });

  it("a wrong secret is a plain 401, not called expired", async () => {
    const { code, report } = await run(["--turn-secret", "not-the-secret"]);
    expect(code).toBe(1);
    expect(report.servers[0]?.error?.stunErrorCode).toBe(401);
    expect(report.findings.find((f) => f.id === "turn-auth-failed")?.explanation).toMatch(/does not accept them/);
  });

  it.each([
    [["--turn-secret", "abc", "--turn-ttl", "1h"], "rtc-doctor: --turn-ttl must be a whole number of seconds (negative mints expired credentials)\n"],
    [["--turn-secret", "abc", "--username", "u"], "rtc-doctor: --username is minted from --turn-secret; give the user part with --turn-user NAME instead\n"],
  ])("%j is a one-line usage error, exit 2", async (args, message) => {
    const r = await runCli(["check", "--turn", `turn:127.0.0.1:${coturn.port}`, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
  });
});
