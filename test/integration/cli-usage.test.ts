import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ANSI, runCli } from "../helpers/cli.js";

// Bad input must end in one line on stderr and exit 2, with nothing sent: every case here would
// otherwise contact a server, so a hang or a network error would also fail the test.
describe("rtc-doctor check: usage and configuration errors", () => {
  it.each([
    [["check", "--stun", "http://example.com"], /unknown scheme 'http:'/],
    [["check", "--stun", "stun:"], /missing host/],
    [["check", "--turn", "turn:127.0.0.1:9"], /needs --username and --credential/],
    [["check", "--stun", "stun:127.0.0.1", "--timeout", "0"], /--timeout must be a whole number/],
    [["check", "--stun", "stun:127.0.0.1", "--signal", "http://127.0.0.1:9/whip", "--signal-timeout", "1s"], /--signal-timeout must be a whole number/],
    [["check", "--format", "xml"], /argument 'xml' is invalid/],
    [["check", "--fail-on", "sometimes"], /argument 'sometimes' is invalid/],
    [["check", "--no-such-flag"], /unknown option '--no-such-flag'/],
    [["check", "--ice-servers", "[{"], /--ice-servers: not valid JSON/],
    [["check", "--ice-servers", "@/nonexistent.json"], /cannot read file/],
    [["check", "--ca", "/nonexistent.pem", "--stun", "stun:127.0.0.1"], /--ca: cannot read/],
    [["check", "--stun", "stun:127.0.0.1", "--quality", "-1"], /--quality must be a whole number from 0 to 60000/],
    [["check", "--stun", "stun:127.0.0.1", "--quality", "2s"], /--quality must be a whole number from 0 to 60000/],
    [["check", "--stun", "stun:127.0.0.1", "--expect", "loss>2"], /write quality bounds as loss<PERCENT/],
  ])("%j exits 2 with a one-line error", async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("(run with --help"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^rtc-doctor: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("rejects bad RTC_DOCTOR_ICE_SERVERS from the environment", async () => {
    const r = await runCli(["check"], { env: { RTC_DOCTOR_ICE_SERVERS: '[{"urls":"turn:x.example"}]' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RTC_DOCTOR_ICE_SERVERS\[0\]: TURN URL 'turn:x.example' needs a username and a credential/);
  });

  it("names where malformed JSON breaks, never the text around it (a credential one quote short)", async () => {
    const secret = "QX7ZP4LMW9";
    const list = `[{"urls":"turn:127.0.0.1:9","username":"u","credential":${secret}}]`;
    for (const r of [await runCli(["check", "--ice-servers", list]), await runCli(["check"], { env: { RTC_DOCTOR_ICE_SERVERS: list } })]) {
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^rtc-doctor: (--ice-servers|RTC_DOCTOR_ICE_SERVERS): not valid JSON: invalid symbol at line 1, column \d+ \(in \[0\]\.credential\)$/);
      for (let i = 0; i + 3 <= secret.length; i++) expect(r.stderr + r.stdout).not.toContain(secret.slice(i, i + 3));
    }
  });

  it("a list of 160,000 ICE servers, or a dump nested 100,000 deep, is one line and exit 2 (was a stack overflow, exit 3)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rtcd-usage-"));
    const list = join(dir, "ice.json");
    writeFileSync(list, JSON.stringify(Array.from({ length: 160_000 }, (_, i) => ({ urls: `stun:s${i}.example` }))));
    const dump = join(dir, "dump.json");
    writeFileSync(dump, `{"PeerConnections":{"1-1":{"rtcConfiguration":${'{"a":'.repeat(100_000)}{}${"}".repeat(100_000)},"updateLog":[]}}}`);
    for (const [args, message] of [
      [["check", "--ice-servers", `@${list}`], /^rtc-doctor: --ice-servers: \d+ bytes; at most 1048576 are read$/],
      [["explain", dump], /^rtc-doctor: input is nested more than 64 levels deep$/],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(message);
    }
  });

  it("echoes a huge value in a short line", async () => {
    const r = await runCli(["check", "--stun", `stun:${"a".repeat(100_000)}:99999`]);
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(500);
  });

  it("never prints the credential in a configuration error", async () => {
    const r = await runCli(["check", "--turn", "turn:bad host", "--username", "u", "--credential", "Sup3r-Secret"]);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).not.toContain("Sup3r-Secret");
  });

  it("scrubs a secret from an error that would echo it (the password pasted where a URL goes)", async () => {
    const r = await runCli(["check", "--username", "u", "--credential=Eq-Secret-99", "--turn", "Eq-Secret-99"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rtc-doctor: invalid ICE server URL '\[redacted\]'/);
    expect(r.stderr + r.stdout).not.toContain("Eq-Secret-99");
  });

  it("honours --redact in a configuration error too", async () => {
    const plain = await runCli(["check", "--stun", "stun:10.1.2.3:0"]);
    expect(plain.stderr).toContain("10.1.2.3");
    const redacted = await runCli(["check", "--stun", "stun:10.1.2.3:0", "--redact"]);
    expect(redacted.code).toBe(2);
    expect(redacted.stderr).toMatch(/^rtc-doctor: invalid ICE server URL 'stun:ip4-/);
    expect(redacted.stderr).not.toContain("10.1.2.3");
  });

  it("prints help with exit 0 and no colour when piped", async () => {
    const r = await runCli(["check", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--ice-servers <json\|@file>/);
    expect(r.stdout).toMatch(/Exit codes: 0/);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it("prints the version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
