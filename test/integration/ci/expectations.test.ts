import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../helpers/coturn.js";
import { reportFrom, runCli } from "../../helpers/cli.js";
import { startUdpStunTarget } from "../../helpers/udp-stun-target.js";
import type { Report } from "../../../src/report/types.js";

// Each expectation passing and failing against a real coturn (UDP, TCP and TLS listeners), through the built CLI.
describe("--expect against a real coturn", () => {
  let coturn: Coturn;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    coturn = await startCoturn({ tls: true });
    dir = mkdtempSync(join(tmpdir(), "rtcd-expect-"));
    caFile = join(dir, "ca.pem");
    writeFileSync(caFile, coturn.caPem ?? "");
  });
  afterAll(async () => {
    await coturn?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const servers = (credential: string) => [
    "--stun", `stun:127.0.0.1:${coturn.port}`,
    "--turn", `turn:127.0.0.1:${coturn.port}?transport=udp`,
    "--turn", `turn:127.0.0.1:${coturn.port}?transport=tcp`,
    "--turn", `turns:localhost:${coturn.tlsPort}?transport=tcp`,
    "--ca", caFile,
    "--username", coturn.user,
    "--credential", credential,
  ];

  async function run(args: string[]): Promise<{ code: number | null; report: Report }> {
    const r = await runCli(["check", "--json", "--no-nat", "--no-gather", ...args]);
    return { code: r.code, report: reportFrom(r) };
  }

  const met = (report: Report) => Object.fromEntries((report.expectations ?? []).map((e) => [e.expectation, e.met]));

  it("passes relay, relay per transport, srflx, connect:loopback and a generous rtt bound, exit 0", async () => {
    const expectations = ["relay", "relay:udp", "relay:tcp", "relay:tls", "srflx", "connect:loopback", "rtt<60000"];
    const { code, report } = await run([...servers(coturn.password), ...expectations.flatMap((e) => ["--expect", e])]);
    expect(met(report)).toEqual(Object.fromEntries(expectations.map((e) => [e, true])));
    expect(report.findings.filter((f) => f.id === "expectation-failed")).toEqual([]);
    expect(code).toBe(0);
  });

  it("fails the relay expectations with the server's own error when the credential is wrong, exit 1", async () => {
    const { code, report } = await run([...servers("wrong-password"), "--no-connect", "--expect", "relay:udp", "--expect", "relay:tls", "--expect", "srflx"]);
    expect(met(report)).toEqual({ "relay:udp": false, "relay:tls": false, srflx: true });
    const udp = report.expectations?.[0];
    expect(udp?.actual).toMatch(/^no relay over UDP: turn:127\.0\.0\.1:\d+\?transport=udp: the TURN server rejected the username or password/);
    const failed = report.findings.filter((f) => f.id === "expectation-failed");
    expect(failed.map((f) => f.evidence[0]?.path)).toEqual(["/expectations/0", "/expectations/1"]);
    expect(failed[0]?.evidence[0]?.fact).toContain("expected relay:udp");
    // The cause comes first: the expectation is a consequence of the 401.
    expect(report.findings[0]?.id).toBe("turn-auth-failed");
    expect(code).toBe(1);
  });

  it("passes and fails rtt<N on the measured RTT of a server that answers after 300 ms", async () => {
    // coturn on loopback answers in about a millisecond; this target's RTT cannot be below its delay
    // less the retransmission schedule (>= 150 ms), so both verdicts are certain.
    const slow = await startUdpStunTarget({ answerAfterMs: 300 });
    try {
      const args = ["--stun", `stun:127.0.0.1:${slow.port}`, "--no-connect", "--timeout", "5000"];
      const fail = await run([...args, "--expect", "rtt<20"]);
      expect(fail.report.expectations?.[0]).toMatchObject({ met: false, path: "/servers/0/rttMs" });
      expect(fail.report.expectations?.[0]?.actual).toMatch(/^slowest ICE server RTT [\d.]+ ms \(stun:127\.0\.0\.1:\d+\)$/);
      expect(fail.code).toBe(1);
      const pass = await run([...args, "--expect", "rtt<4000"]);
      expect(pass.report.expectations?.[0]?.met).toBe(true);
    } finally {
      await slow.stop();
    }
  });

  it("reports what was not measured as unmet: no TLS URL, --no-nat, no --signal", async () => {
    const { code, report } = await run(["--stun", `stun:127.0.0.1:${coturn.port}`, "--no-connect", "--expect", "relay:tls", "--expect", "nat:!symmetric", "--expect", "connect:remote"]);
    expect(report.expectations?.map((e) => [e.expectation, e.met, e.actual.split(":")[0]])).toEqual([
      ["relay:tls", false, "not measured"],
      ["nat:!symmetric", false, "not measured"],
      ["connect:remote", false, "not measured"],
    ]);
    expect(code).toBe(1);
  });

  it.each([
    [["--expect", "relay:quic"], /--expect 'relay:quic': unknown expectation/],
    [["--expect", "nat:!cone"], /unknown NAT type 'cone'/],
    [["--expect", "rtt>100"], /rtt<MILLISECONDS/],
  ])("%j is a usage error: one line, exit 2, nothing sent", async (args, message) => {
    const r = await runCli(["check", "--stun", "stun:127.0.0.1:9", ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
