import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../helpers/coturn.js";
import { runCli } from "../../helpers/cli.js";
import { expectValidReport } from "../../helpers/schema.js";
import type { Report } from "../../../src/report/types.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rtcd-config-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const writeConfig = (value: unknown, name = "rtc-doctor.config.json") => {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return path;
};

// Each error names the file and the key's path, in one line, with exit 2 and nothing sent.
describe("rtc-doctor.config.json: errors", () => {
  it.each([
    [{ colour: true }, /^rtc-doctor\.config\.json: colour: unknown key \(known keys: stun, turn, /],
    [{ iceServers: [{ urls: "stun:127.0.0.1" }, { urls: 3478 }] }, /^rtc-doctor\.config\.json: iceServers\[1\]\.urls: expected a URL string or a non-empty array of URL strings$/],
    [{ iceServers: [{ url: "stun:127.0.0.1" }] }, /^rtc-doctor\.config\.json: iceServers\[0\]\.urls: missing$/],
    [{ iceServers: [{ urls: ["stun:127.0.0.1", "stun://x"] }] }, /^rtc-doctor\.config\.json: iceServers\[0\]\.urls\[1\]: invalid ICE server URL 'stun:\/\/x'/],
    [{ timeout: "3s" }, /^rtc-doctor\.config\.json: timeout: expected a whole number$/],
    [{ format: "xml" }, /^rtc-doctor\.config\.json: format: expected one of "human", "json", "junit", "markdown"$/],
    [{ stun: ["stun:127.0.0.1", "http://x"] }, /^rtc-doctor\.config\.json: stun\[1\]: invalid ICE server URL 'http:\/\/x': unknown scheme/],
    [{ expect: ["relay", "relay:quic"] }, /^rtc-doctor\.config\.json: expect\[1\]: expectation 'relay:quic': unknown expectation/],
    [{ gather: "no" }, /^rtc-doctor\.config\.json: gather: expected true or false$/],
    ['{"stun": [', /^rtc-doctor\.config\.json: not valid JSON/],
    ["[]", /^rtc-doctor\.config\.json: expected a JSON object$/],
  ])("%j", async (config, message) => {
    writeConfig(config);
    const r = await runCli(["check"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]?.replace(/^rtc-doctor: /, "")).toMatch(message);
  });

  it("--config to a missing file is an error; a missing default file is not looked for", async () => {
    const r = await runCli(["check", "--config", "nope.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("rtc-doctor: nope.json: cannot read the config file (ENOENT)\n");
  });

  it("never echoes a secret from the file in an error", async () => {
    writeConfig({ turn: ["turn:127.0.0.1:9"], username: "u", credential: "F1le-Secret", timeout: -1 });
    const r = await runCli(["check"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("F1le-Secret");
  });
});

describe("rtc-doctor.config.json against a real coturn", () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ tls: false });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  const base = () => ({
    turn: [`turn:127.0.0.1:${coturn.port}`],
    username: coturn.user,
    timeout: 4000,
    format: "json",
    expect: ["relay:udp"],
    nat: false,
    gather: false,
    connect: false,
  });

  async function json(args: string[], env?: NodeJS.ProcessEnv) {
    const r = await runCli(["check", ...args], { cwd: dir, env });
    const report = JSON.parse(r.stdout) as Report;
    expectValidReport(report);
    return { code: r.code, report, r };
  }

  it("is read from the working directory: servers, timeout, format and expectations; the credential from the environment", async () => {
    writeConfig(base());
    const { code, report, r } = await json([], { RTC_DOCTOR_TURN_CREDENTIAL: coturn.password });
    expect(report.config.timeoutMs).toBe(4000);
    expect(report.servers[0]).toMatchObject({ ok: true, source: "config-file" });
    expect(report.expectations).toEqual([expect.objectContaining({ expectation: "relay:udp", met: true })]);
    expect(code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(coturn.password);
  });

  it("flags override the file key by key, and the environment overrides a secret in the file", async () => {
    writeConfig({ ...base(), credential: "stale-file-credential" });
    const { report } = await json(["--timeout", "5000", "--expect", "srflx"], { RTC_DOCTOR_TURN_CREDENTIAL: coturn.password });
    expect(report.config.timeoutMs).toBe(5000);
    expect(report.expectations?.map((e) => e.expectation)).toEqual(["srflx"]);
    expect(report.servers[0]?.ok).toBe(true);
    const md = await runCli(["check", "--format", "markdown"], { cwd: dir, env: { RTC_DOCTOR_TURN_CREDENTIAL: coturn.password } });
    expect(md.stdout).toMatch(/^## rtc-doctor: ✅ PASS/);
  });

  it("--config PATH: iceServers take the credential from the environment, and relative paths are the file's", async () => {
    const other = join(dir, "ci");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(other);
    const path = writeConfig(
      { iceServers: [{ urls: [`turn:127.0.0.1:${coturn.port}?transport=tcp`], username: coturn.user }], format: "junit", output: "out/../report.xml", nat: false, gather: false, connect: false },
      "ci/rtc-doctor.json",
    );
    const r = await runCli(["check", "--config", path], { cwd: dir, env: { RTC_DOCTOR_TURN_CREDENTIAL: coturn.password } });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(join(other, "report.xml"))).toBe(true);
    expect(readFileSync(join(other, "report.xml"), "utf8")).toMatch(/<testcase classname="rtc-doctor\.servers" name="turn:127\.0\.0\.1:\d+\?transport=tcp \(TCP\)"/);
  });
});
