import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../helpers/coturn.js";
import { runCli } from "../../helpers/cli.js";
import { expectValidReport } from "../../helpers/schema.js";
import type { Report } from "../../../src/report/types.js";

/** Every IP address in a text, found generously and confirmed with node:net. */
function addressesIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/[0-9a-fA-F:.%]{2,}/g)) {
    for (const token of [m[0], m[0].replace(/^[:.]+|[:.]+$/g, "").replace(/%.*$/, "")]) {
      if (isIP(token)) found.add(token);
    }
    // Dotted quads inside longer tokens (e.g. "127.0.0.1:3478").
    for (const v4 of m[0].matchAll(/\d{1,3}(?:\.\d{1,3}){3}/g)) if (isIP(v4[0])) found.add(v4[0]);
  }
  return [...found];
}

describe("report formats through the CLI against a real coturn", () => {
  let coturn: Coturn;
  let dir: string;

  beforeAll(async () => {
    coturn = await startCoturn({ tls: false });
    dir = mkdtempSync(join(tmpdir(), "rtcd-formats-"));
  });
  afterAll(async () => {
    await coturn?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // One STUN that works, TURN/UDP with a wrong password, TURN/TCP that works, and two expectations.
  const args = () => [
    "check", "--no-nat",
    "--stun", `stun:127.0.0.1:${coturn.port}`,
    "--turn", `turn:127.0.0.1:${coturn.port}?transport=udp`,
    "--username", coturn.user, "--credential", "wrong-password",
    "--expect", "relay:udp", "--expect", "srflx",
  ];

  it("JUnit: a JUnit XML parser accepts it and its counts match the run", async () => {
    const file = join(dir, "rtc-doctor.xml");
    const r = await runCli([...args(), "--format", "junit", "--output", file, "--no-connect", "--no-gather"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const xml = readFileSync(file, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "testsuite" || n === "testcase" }).parse(xml) as {
      testsuites: { tests: string; failures: string; testsuite: { name: string; tests: string; failures: string; testcase: { name: string; failure?: { type: string; "#text": string } }[] }[] };
    };
    const suites = Object.fromEntries(doc.testsuites.testsuite.map((s) => [s.name, s]));
    expect(suites["rtc-doctor.servers"]?.testcase.map((c) => [c.name.replace(`:${coturn.port}`, ":P"), c.failure?.type])).toEqual([
      ["stun:127.0.0.1:P (UDP)", undefined],
      ["turn:127.0.0.1:P?transport=udp (UDP)", "turn-auth-failed"],
    ]);
    expect(suites["rtc-doctor.expectations"]?.testcase.map((c) => [c.name, c.failure?.type])).toEqual([
      ["relay:udp", "expectation-failed"],
      ["srflx", undefined],
    ]);
    expect(suites["rtc-doctor.servers"]?.testcase[1]?.failure?.["#text"]).toMatch(/answered 401 Unauthorized/);
    const cases = doc.testsuites.testsuite.flatMap((s) => s.testcase);
    expect(Number(doc.testsuites.tests)).toBe(cases.length);
    expect(Number(doc.testsuites.failures)).toBe(cases.filter((c) => c.failure).length);
    expect(Number(doc.testsuites.failures)).toBe(2);
    expect(xml).not.toContain("wrong-password");
  });

  it("Markdown on stdout, and appended to $GITHUB_STEP_SUMMARY whatever the format", async () => {
    const md = await runCli([...args(), "--format", "markdown", "--no-connect", "--no-gather"]);
    expect(md.code).toBe(1);
    expect(md.stdout).toMatch(/^## rtc-doctor: ❌ FAIL, 2 errors/);
    expect(md.stdout).toMatch(/\| `turn:127\.0\.0\.1:\d+\?transport=udp` \| UDP \| ❌ \| the TURN server rejected the username or password/);
    expect(md.stdout).toContain("| Expect `srflx` | | ✅ |");
    expect(md.stdout).toContain("### ❌ error: The TURN server rejects the credentials `turn-auth-failed`");

    const summary = join(dir, "step-summary.md");
    writeFileSync(summary, "# earlier step\n");
    const json = await runCli([...args(), "--json", "--no-connect", "--no-gather"], { env: { GITHUB_STEP_SUMMARY: summary } });
    expectValidReport(JSON.parse(json.stdout));
    const written = readFileSync(summary, "utf8");
    expect(written.startsWith("# earlier step\n## rtc-doctor: ❌ FAIL")).toBe(true);
    expect(written).toContain("| Expect `relay:udp` | | ❌ |");
    expect(written).not.toContain("wrong-password");
  });

  it.each(["human", "json", "markdown", "junit"])("--redact leaves no IP address in %s output, stderr or the step summary", async (format) => {
    const summary = join(dir, `redacted-${format}.md`);
    // Gathering and connecting on, so host candidates of every local interface are in the facts.
    const r = await runCli([...args(), "--format", format, "--redact", "--verbose"], { env: { GITHUB_STEP_SUMMARY: summary, FORCE_COLOR: "0" } });
    expect(r.code).toBe(1);
    const all = r.stdout + r.stderr + readFileSync(summary, "utf8");
    expect(addressesIn(all)).toEqual([]);
    expect(all).toMatch(/ip4-loopback-\d+/);
    if (format === "json") {
      const report = JSON.parse(r.stdout) as Report;
      expectValidReport(report);
      // Stable: both probes talked to the same coturn, so the same placeholder.
      expect(report.servers[0]?.remoteAddress?.address).toMatch(/^ip4-loopback-\d+$/);
      expect(report.servers[1]?.remoteAddress?.address).toBe(report.servers[0]?.remoteAddress?.address);
    }
  });

  it("without --redact the same output does contain addresses (the scanner finds them)", async () => {
    const r = await runCli([...args(), "--json", "--no-connect", "--no-gather"]);
    expect(addressesIn(r.stdout)).toContain("127.0.0.1");
  });
});
