import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../helpers/coturn.js";
import { ANSI, reportFrom, runCli } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";
import type { Report } from "../../src/report/types.js";
import { freeUdpPort } from "../helpers/ports.js";

// The whole of issue 2 as a user meets it: the built CLI against a real coturn on loopback.
describe("rtc-doctor check against a real coturn", () => {
  let coturn: Coturn;
  let dir: string;
  let caFile: string;

  beforeAll(async () => {
    coturn = await startCoturn({ tls: true });
    dir = mkdtempSync(join(tmpdir(), "rtcd-cli-"));
    caFile = join(dir, "ca.pem");
    writeFileSync(caFile, coturn.caPem ?? "");
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  const all = () => [
    "--stun", `stun:127.0.0.1:${coturn.port}`,
    "--turn", `turn:127.0.0.1:${coturn.port}?transport=udp`,
    "--turn", `turn:127.0.0.1:${coturn.port}?transport=tcp`,
    "--turn", `turns:localhost:${coturn.tlsPort}?transport=tcp`,
    "--ca", caFile,
  ];

  async function json(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; report: Report; stderr: string }> {
    const r = await runCli(["check", "--json", "--no-nat", ...args], { env });
    return { code: r.code, report: reportFrom(r, coturn.logs().slice(-2000)), stderr: r.stderr };
  }

  it("finds srflx and a relay over each of UDP, TCP and TLS, and passes", async () => {
    const { code, report } = await json([...all(), "--username", coturn.user, "--credential", coturn.password]);
    expect(report.servers.map((s) => [s.url.split(":")[0], s.transport, s.ok])).toEqual([
      ["stun", "udp", true],
      ["turn", "udp", true],
      ["turn", "tcp", true],
      ["turns", "tls", true],
    ]);
    for (const s of report.servers.filter((x) => x.kind === "turn")) {
      expect(s.relayedAddress?.address).toBe("127.0.0.1");
      expect(s.allocation?.released).toBe(true);
    }
    expect(report.servers[3]?.tls).toMatchObject({ chainVerified: true, hostnameMatches: true });
    const byUrl = (type: string) => report.candidates.filter((c) => c.type === type).map((c) => c.url);
    expect(byUrl("srflx")).toContain(`stun:127.0.0.1:${coturn.port}`);
    expect(byUrl("relay")).toEqual(expect.arrayContaining(report.servers.filter((s) => s.kind === "turn").map((s) => s.url)));
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(code).toBe(0);
  });

  it("reports a wrong password as the 401 finding, read from the server's answer (not a timeout)", async () => {
    const { code, report } = await json([...all(), "--username", coturn.user, "--credential", "wrong-password"]);
    expect(code).toBe(1);
    const turn = report.servers.filter((s) => s.kind === "turn");
    expect(turn.map((s) => s.error?.code)).toEqual(["wrong-credentials", "wrong-credentials", "wrong-credentials"]);
    expect(turn.map((s) => s.error?.stunErrorCode)).toEqual([401, 401, 401]);
    // One challenge and one signed attempt each: the answer came back, nothing was retransmitted.
    for (const s of turn) expect(s.exchanges.map((e) => e.outcome)).toEqual(["error 401 Unauthorized (challenge)", "error 401 Unauthorized"]);
    expect(report.findings[0]?.id).toBe("turn-auth-failed");
    // One server, one user database: the refusal over three transports is one finding citing all three.
    const auth = report.findings.filter((f) => f.id === "turn-auth-failed");
    expect(auth).toHaveLength(1);
    expect(auth[0]?.evidence.filter((e) => e.path?.endsWith("/error")).map((e) => e.path)).toEqual(["/servers/1/error", "/servers/2/error", "/servers/3/error"]);
    // werift would have waited out the timeout: the gather through a server the probe showed broken is skipped.
    expect(report.gathering.filter((g) => g.url.startsWith("turn"))).toEqual([]);
  });

  it("reports a UDP port with nothing behind it as such: the kernel's port unreachable, not a blocked network", async () => {
    const port = await freeUdpPort();
    const { code, report } = await json(["--stun", `stun:127.0.0.1:${port}`, "--timeout", "60000"]);
    expect(code).toBe(1);
    expect(report.servers[0]?.error?.code).toBe("port-unreachable");
    expect(report.findings[0]).toMatchObject({ id: "stun-server-unreachable", message: "nothing-listens", severity: "error", title: `Nothing listens on UDP ${port} at 127.0.0.1` });
    expect(report.findings.map((f) => f.id)).not.toContain("udp-blocked");
  });

  it("never prints the credential: human, JSON, a file, stderr", async () => {
    const secret = "Very-Secret-Credential-42";
    const args = ["check", "--no-nat", "--turn", `turn:127.0.0.1:${coturn.port}`, "--username", coturn.user, "--credential", secret];
    const human = await runCli(args, { env: { FORCE_COLOR: "1" } });
    const asJson = await runCli([...args, "--json"]);
    const out = join(dir, "report.json");
    const toFile = await runCli([...args, "--json", "--output", out]);
    for (const r of [human, asJson, toFile]) expect(r.stdout + r.stderr).not.toContain(secret);
    expect(readFileSync(out, "utf8")).not.toContain(secret);
    expect(JSON.parse(readFileSync(out, "utf8")).servers[0].error.code).toBe("wrong-credentials");
    expect(toFile.stdout).toBe("");
  });

  it("colours only when asked: none when piped or with NO_COLOR, some with FORCE_COLOR", async () => {
    const args = ["check", "--no-nat", "--no-gather", "--stun", `stun:127.0.0.1:${coturn.port}`];
    expect((await runCli(args)).stdout).not.toMatch(ANSI);
    expect((await runCli(args, { env: { NO_COLOR: "1", FORCE_COLOR: "1" } })).stdout).not.toMatch(ANSI);
    const coloured = await runCli(args, { env: { FORCE_COLOR: "1" } });
    expect(coloured.stdout).toMatch(ANSI);
    expect(coloured.stdout).toMatch(/stun:127\.0\.0\.1/);
  });

  it("maps findings to exit codes with --fail-on", async () => {
    const stunOnly = ["--no-gather", "--stun", `stun:127.0.0.1:${coturn.port}`];
    expect((await json(stunOnly)).code).toBe(0); // only the no-turn warning
    const strict = await json([...stunOnly, "--fail-on", "warning"]);
    expect(strict.code).toBe(1);
    expect(strict.report.summary).toMatchObject({ warnings: 1, failOn: "warning", passed: false });
    const lenient = await json(["--no-gather", "--turn", `turn:127.0.0.1:${coturn.port}`, "--username", "u", "--credential", "bad", "--fail-on", "never"]);
    expect(lenient.code).toBe(0);
    expect(lenient.report.summary.errors).toBeGreaterThan(0);
  });
});

describe("rtc-doctor check against coturn variants", () => {
  it("with --no-udp: TCP relays, and the UDP URL's port is named as one where nothing listens", async () => {
    const coturn = await startCoturn({ tls: false, udp: false });
    try {
      const r = await runCli([
        "check", "--json", "--no-nat", "--no-gather", "--timeout", "500",
        "--turn", `turn:127.0.0.1:${coturn.port}?transport=udp`,
        "--turn", `turn:127.0.0.1:${coturn.port}?transport=tcp`,
        "--username", coturn.user, "--credential", coturn.password,
      ]);
      const report = JSON.parse(r.stdout) as Report;
      expectValidReport(report);
      expect(report.servers.map((s) => [s.transport, s.ok, s.error?.code])).toEqual([
        ["udp", false, "port-unreachable"],
        ["tcp", true, undefined],
      ]);
      // Not "UDP blocked towards the server": the server's own kernel said that nothing listens on UDP.
      expect(report.findings[0]).toMatchObject({ id: "turn-server-unreachable", message: "udp-port-unreachable", title: `Nothing listens on UDP ${coturn.port} at 127.0.0.1` });
      expect(report.findings[0]?.evidence.map((e) => e.path)).toEqual(["/servers/0/error", "/servers/1"]);
      expect(report.findings.map((f) => f.id)).not.toContain("turn-udp-blocked");
    } finally {
      await coturn.stop();
    }
  });

  it("with a per-user quota of 1: two runs back to back both allocate (allocations are released)", async () => {
    const coturn = await startCoturn({ tls: false, userQuota: 1 });
    try {
      const args = ["check", "--json", "--no-nat", "--turn", `turn:127.0.0.1:${coturn.port}`, "--username", coturn.user, "--credential", coturn.password];
      for (let run = 0; run < 2; run += 1) {
        const r = await runCli(args);
        const report = JSON.parse(r.stdout) as Report;
        expectValidReport(report);
        expect(report.servers[0]).toMatchObject({ ok: true, allocation: { released: true } });
        expect(r.code).toBe(0);
      }
    } finally {
      await coturn.stop();
    }
  });
});
