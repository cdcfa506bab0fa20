import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { BIN } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import { requireLabTools, notRootReason, runIn, startLab, type Lab } from "./lab.js";

/**
 * Issue 10 item 6 in the NAT lab: a coturn with use-auth-secret on the lab's internet, a client
 * behind a home NAT minting TURN REST credentials. Expired ones are named as expired in the title;
 * fresh ones from the same secret are the healthy counterpart, with no error finding.
 */
const TURN_IP = "198.51.100.3";
const skipReason = notRootReason();

describe.skipIf(skipReason !== undefined)("NAT lab: TURN REST credentials against coturn's use-auth-secret", () => {
  let lab: Lab;
  const secret = `rest-${randomBytes(8).toString("hex")}`;

  beforeAll(() => {
    requireLabTools();
    lab = startLab({
      sites: [{ name: "home", profile: "port-restricted-cone" }],
      coturns: [{ name: "rest", ips: [TURN_IP], args: ["--use-auth-secret", `--static-auth-secret=${secret}`] }],
    });
  }, 60_000);
  afterAll(() => lab?.down());

  async function check(ttl: string): Promise<{ code: number | null; report: Report; output: string }> {
    const args = [BIN, "check", "--json", "--no-nat", "--timeout", "3000", "--turn", `turn:${TURN_IP}:3478?transport=udp`, "--turn-secret", secret, `--turn-ttl=${ttl}`];
    const r = await runIn(lab.sites["home"]!.client, process.execPath, args, 60_000);
    const report = JSON.parse(r.stdout) as Report;
    expectValidReport(report);
    return { code: r.code, report, output: r.stdout + r.stderr };
  }

  it("expired credentials: coturn refuses them and the top finding's title says they have expired", async () => {
    const { code, report, output } = await check("-120");
    expect(code).toBe(1);
    expect(report.servers[0]?.error).toMatchObject({ stunErrorCode: 401 });
    expect(report.findings[0]).toMatchObject({ id: "turn-auth-failed", message: "rest-expired", title: expect.stringMatching(/have expired/) });
    expect(output).not.toContain(secret);
  });

  it("healthy: fresh credentials from the same secret allocate and connect through the relay, no error", async () => {
    const { report, output } = await check("600");
    expect(report.servers[0]).toMatchObject({ ok: true, restCredential: { minted: true } });
    expect(report.connectivity?.find((c) => c.mode === "loopback-relay")?.ok).toBe(true);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(output).not.toContain(secret);
  });
});
