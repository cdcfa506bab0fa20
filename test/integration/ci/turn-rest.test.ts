import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../helpers/coturn.js";
import { reportFrom, runCli } from "../../helpers/cli.js";
import { freeUdpPort } from "../../helpers/ports.js";

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
    const report = reportFrom(r, coturn.logs().slice(-2000));
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
    // The title itself says expired: the top line a person reads.
    expect(report.findings[0]).toMatchObject({ id: "turn-auth-failed", message: "rest-expired", title: "The TURN REST credentials have expired: the server rejects them" });
  });

  it("a wrong secret is a plain 401, not called expired", async () => {
    const { code, report } = await run(["--turn-secret", "not-the-secret"]);
    expect(code).toBe(1);
    expect(report.servers[0]?.error?.stunErrorCode).toBe(401);
    expect(report.findings.find((f) => f.id === "turn-auth-failed")?.explanation).toMatch(/does not accept them/);
  });

  // Credentials minted elsewhere, given as --username/--credential: what coturn does with each shape
  // (src/config/rest-username.ts), and what the findings say about it.
  const hmac = (username: string) => createHmac("sha1", secret).update(username).digest("base64");
  async function given(username: string) {
    const credential = hmac(username);
    const result = await run(["--username", username, "--credential", credential]);
    const text = JSON.stringify(result.report);
    expect(text).not.toContain(credential);
    return { ...result, text };
  }
  const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

  it("a swapped '<user>:<expiry>' with a numeric user id and a correct HMAC: coturn answers 401, the finding names the swap", async () => {
    const userId = "90817263";
    const { code, report, text } = await given(`${userId}:${inAnHour()}`);
    expect(code).toBe(1);
    expect(report.servers[0]?.error).toMatchObject({ code: "wrong-credentials", stunErrorCode: 401 });
    expect(report.servers[0]?.restCredential).toMatchObject({ order: "user-first", unit: "seconds", coturnAcceptsExpiry: false, minted: false });
    expect(report.servers[0]?.restCredential?.remainingSec).toBeGreaterThan(3500);
    const finding = report.findings.find((f) => f.id === "turn-auth-failed");
    expect(finding?.explanation).toMatch(/has its parts swapped: '<user>:<expiry>'/);
    expect(finding?.explanation).toMatch(/took the user id for the expiry/);
    expect(finding?.fix).toMatch(/Put the expiry first: '<expiry>:<user>'/);
    expect(finding?.evidence.map((e) => e.path)).toEqual(["/servers/0/error", "/servers/0/restCredential"]);
    expect(text).not.toContain(userId);
  });

  it("a swapped '<user>:<expiry>' with a text user: coturn tolerates it, and the warning says other servers do not", async () => {
    const { code, report, text } = await given(`alice-${randomBytes(3).toString("hex")}:${inAnHour()}`);
    expect(code).toBe(0);
    expect(report.servers[0]).toMatchObject({ ok: true, restCredential: { order: "user-first", coturnAcceptsExpiry: true } });
    const finding = report.findings.find((f) => f.id === "turn-rest-credential");
    expect(finding?.severity).toBe("warning");
    expect(finding?.explanation).toMatch(/parts swapped.*coturn tolerates the swap.*which is why this server accepted it/s);
    expect(text).not.toMatch(/alice-/);
  });

  it("a millisecond expiry whose low 32 bits read as the past: coturn answers 401, the finding says milliseconds", async () => {
    // The next multiple of 2^32 ms (within ~50 days) plus 1000: meant as a future expiry, read by coturn as 1970.
    const ms = Math.ceil(Date.now() / 2 ** 32) * 2 ** 32 + 1000;
    const { code, report } = await given(`${ms}:ci`);
    expect(code).toBe(1);
    expect(report.servers[0]?.error?.stunErrorCode).toBe(401);
    expect(report.servers[0]?.restCredential).toMatchObject({ order: "expiry-first", unit: "milliseconds", coturnAcceptsExpiry: false });
    expect(report.servers[0]?.restCredential?.expiresAt).toBe(new Date(ms).toISOString());
    expect(report.findings.find((f) => f.id === "turn-auth-failed")?.explanation).toMatch(/expiry is in milliseconds/);
  });

  it("a username given with an expiry an hour past and a correct HMAC: coturn answers 401, the title says expired", async () => {
    const { code, report } = await given(`${Math.floor(Date.now() / 1000) - 3600}:ci`);
    expect(code).toBe(1);
    expect(report.servers[0]?.error).toMatchObject({ code: "wrong-credentials", stunErrorCode: 401 });
    expect(report.servers[0]?.restCredential).toMatchObject({ order: "expiry-first", unit: "seconds", coturnAcceptsExpiry: false, minted: false });
    expect(report.findings[0]).toMatchObject({ id: "turn-auth-failed", message: "rest-expired", severity: "error", title: "The TURN REST credentials have expired: the server rejects them" });
  });

  it("a username whose expiry is 30 days ahead: coturn accepts it (a future expiry is not 'not yet valid'), the note says it lives for days", async () => {
    const { code, report } = await given(`${Math.floor(Date.now() / 1000) + 30 * 86_400}:ci`);
    expect(code).toBe(0);
    expect(report.servers[0]).toMatchObject({ ok: true, restCredential: { coturnAcceptsExpiry: true } });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.findings.find((f) => f.id === "turn-rest-credential")).toMatchObject({ message: "long-lived", severity: "info", title: "The TURN REST credentials live for days" });
  });

  it("an expired username towards a UDP port where nothing listens: the port is the error, and the warning's title says expired", async () => {
    const closed = await freeUdpPort();
    const username = `${Math.floor(Date.now() / 1000) - 3600}:ci`;
    const r = await runCli(["check", "--json", "--no-nat", "--no-gather", "--no-connect", "--turn", `turn:127.0.0.1:${closed}`, "--username", username, "--credential", hmac(username)]);
    const report = reportFrom(r);
    expect(r.stdout + r.stderr).not.toContain(hmac(username));
    expect(report.servers[0]?.error?.code).toBe("port-unreachable");
    expect(report.findings.map((f) => [f.id, f.message, f.title])).toEqual([
      ["turn-server-unreachable", "udp-port-unreachable", `Nothing listens on UDP ${closed} at 127.0.0.1`],
      ["turn-rest-credential", "expired", "The TURN REST credentials have expired"],
      ["turn-not-on-443", expect.any(String), expect.any(String)],
    ]);
    expect(r.code).toBe(1);
  });

  it("the conventional shape, given rather than minted, is accepted with no REST finding", async () => {
    const { code, report } = await given(`${inAnHour()}:ci`);
    expect(code).toBe(0);
    expect(report.servers[0]).toMatchObject({ ok: true, restCredential: { order: "expiry-first", unit: "seconds", coturnAcceptsExpiry: true, minted: false } });
    // Only the advice about port 443, which has nothing to do with the credentials.
    expect(report.findings.map((f) => f.id)).toEqual(["turn-not-on-443"]);
  });

  it.each([
    [["--turn-secret", "abc", "--turn-ttl", "1h"], "rtc-doctor: --turn-ttl must be a whole number of seconds (negative mints expired credentials)\n"],
    [["--turn-secret", "abc", "--username", "u"], "rtc-doctor: --username is minted from --turn-secret; give the user part with --turn-user instead\n"],
  ])("%j is a one-line usage error, exit 2", async (args, message) => {
    const r = await runCli(["check", "--turn", `turn:127.0.0.1:${coturn.port}`, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
  });
});
