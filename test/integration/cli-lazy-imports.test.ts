import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, runBounded, type CliResult } from "../helpers/cli.js";

// Issue 9: commands that need no network must not pay for werift, ajv, ora or sdp-transform. This
// asserts which packages a run loads, never how long it takes (`npm run bench` prints the ratios).
const root = fileURLToPath(new URL("../../", import.meta.url));
const recorder = fileURLToPath(new URL("../helpers/record-imports.mjs", import.meta.url));
const HEAVY = ["werift", "ajv", "ajv-formats", "ora", "sdp-transform", "prom-client", "yaml"] as const;
const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-imports-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs the built CLI and returns what it printed and the heavy packages it loaded. */
async function run(args: string[]): Promise<CliResult & { loaded: string[] }> {
  const log = join(dir, `run-${runs++}.log`);
  writeFileSync(log, "");
  const env: NodeJS.ProcessEnv = { ...process.env, RTC_DOCTOR_IMPORT_LOG: log };
  for (const key of ["NO_COLOR", "FORCE_COLOR", "RTC_DOCTOR_ICE_SERVERS", "GITHUB_STEP_SUMMARY"]) delete env[key];
  const result = await runBounded(process.execPath, ["--import", recorder, BIN, ...args], { cwd: root, env, timeoutMs: 30_000 });
  const modules = readFileSync(log, "utf8");
  const loaded = HEAVY.filter((name) => new RegExp(`/node_modules/${name}/`).test(modules));
  return { ...result, loaded };
}

describe("the CLI loads heavy packages only where they are used", () => {
  it.each([
    [["--version"], 0],
    [["--help"], 0],
    [["check", "--help"], 0],
    [["serve", "--help"], 0],
    [["explain", "--help"], 0],
    [["exporter", "--help"], 0],
    [["exporter", "--port", "99999"], 2],
    [["check", "--timeout", "abc"], 2],
    [["check", "--format", "xml"], 2],
    [["check", "--stun", "http://example.com"], 2],
    [["serve", "--token", "short"], 2],
  ])("%j loads none of werift, ajv, ora, sdp-transform, prom-client, yaml", async (args, code) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(code);
    expect(r.loaded).toEqual([]);
  });

  it("explain of an SDP loads sdp-transform (the recorder sees it) but not werift, ajv or ora", async () => {
    const r = await run(["explain", "test/fixtures/sdp/chrome-answer-mdns-only.sdp"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.loaded).toEqual(["sdp-transform"]);
  });

  it("explain of a JSON report loads ajv to validate it (a CommonJS require is seen too), still no werift or ora", async () => {
    const report = await run(["explain", "test/fixtures/sdp/werift-offer-answer.json", "--json"]);
    expect(report.code, report.stderr).toBe(0);
    const file = join(dir, "report.json");
    writeFileSync(file, report.stdout);
    const r = await run(["explain", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.loaded).toEqual(expect.arrayContaining(["ajv", "ajv-formats"]));
    expect(r.loaded).not.toContain("werift");
    expect(r.loaded).not.toContain("ora");
  });
});
