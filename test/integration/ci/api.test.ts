import { runBounded, type CliResult } from "../../helpers/cli.js";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCoturn, type Coturn } from "../../helpers/coturn.js";
import { expectValidReport } from "../../helpers/schema.js";
import type { Report } from "../../../src/index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

function run(command: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<CliResult> {
  return runBounded(command, args, { cwd, timeoutMs });
}

// A consumer project that depends on rtc-doctor: node_modules/rtc-doctor links to this package, so
// imports go through package.json "exports" and the shipped .d.ts, exactly as after npm install.
describe('import { check, explain } from "rtc-doctor"', () => {
  let coturn: Coturn;
  let app: string;

  beforeAll(async () => {
    if (!existsSync(join(root, "dist/index.js"))) throw new Error("dist/ is missing: run `npm run build` (npm test does it)");
    coturn = await startCoturn({ tls: false });
    app = mkdtempSync(join(tmpdir(), "rtcd-consumer-"));
    mkdirSync(join(app, "node_modules"));
    symlinkSync(root, join(app, "node_modules", "rtc-doctor"), "dir");
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  });
  afterAll(async () => {
    await coturn?.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it("check() returns the typed report for a real coturn; explain() re-diagnoses it", async () => {
    writeFileSync(
      join(app, "main.mjs"),
      `import { check, explain, render } from "rtc-doctor";
const report = await check({
  turn: ["turn:127.0.0.1:${coturn.port}"],
  username: ${JSON.stringify(coturn.user)},
  credential: ${JSON.stringify(coturn.password)},
  gather: false, nat: false, connect: false,
  expect: ["relay:udp", "relay:tls"],
});
const explained = explain(JSON.stringify(report));
process.stdout.write(JSON.stringify({ report, kind: explained.kind, ids: explained.report.findings.map((f) => f.id), md: render(report, "markdown", { color: false }).split("\\n")[0] }));
// werift 0.24 can keep the event loop alive after a run (shared/notes/werift.md).
process.exit(0);
`,
    );
    const r = await run(process.execPath, ["main.mjs"], app);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { report: Report; kind: string; ids: string[]; md: string };
    expectValidReport(out.report);
    expect(out.report.servers[0]).toMatchObject({ ok: true, kind: "turn", transport: "udp" });
    expect(out.report.expectations?.map((e) => [e.expectation, e.met])).toEqual([["relay:udp", true], ["relay:tls", false]]);
    expect(out.report.summary.passed).toBe(false);
    expect(out.kind).toBe("report");
    expect(out.ids).toContain("expectation-failed");
    // The error is the unmet relay:tls; the warning, no TURN URL on 443 (turn-not-on-443).
    expect(out.md).toBe("## rtc-doctor: ❌ FAIL, 1 error, 1 warning");
    expect(r.stdout).not.toContain(coturn.password);
  });

  // werift 0.24 sleeps 500 s between TURN allocation refreshes on a timer its close() cannot cancel:
  // a program that made a relay connection did not end for eight minutes (src/webrtc/turn-allocations.ts).
  it("a program that calls check() through a TURN relay ends by itself once the report is back", async () => {
    writeFileSync(
      join(app, "ends.mjs"),
      `import { check } from "rtc-doctor";
const report = await check({
  turn: ["turn:127.0.0.1:${coturn.port}"],
  username: ${JSON.stringify(coturn.user)},
  credential: ${JSON.stringify(coturn.password)},
  nat: false, qualityDurationMs: 0,
});
process.stdout.write(JSON.stringify((report.connectivity ?? []).map((c) => [c.mode, c.ok])));
`,
    );
    const r = await run(process.execPath, ["ends.mjs"], app, 60_000);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toContainEqual(["loopback-relay", true]);
  });

  it("keeps internals private: only the package root is exported", async () => {
    writeFileSync(join(app, "deep.mjs"), `import("rtc-doctor/dist/check.js").then(() => console.log("imported"), (e) => console.log(e.code));`);
    const r = await run(process.execPath, ["deep.mjs"], app);
    expect(r.stdout.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("ships type declarations a strict TypeScript consumer compiles against", async () => {
    writeFileSync(
      join(app, "typed.ts"),
      `import { check, explain, ConfigError, type Report, type ServerFact, type ExpectationResult, type Finding } from "rtc-doctor";
export async function preflight(): Promise<boolean> {
  const report: Report = await check({ stun: ["stun:127.0.0.1:3478"], expect: ["srflx", "rtt<150"], timeoutMs: 1000 });
  const first: ServerFact | undefined = report.servers[0];
  const unmet: ExpectationResult[] = (report.expectations ?? []).filter((e) => !e.met);
  const findings: Finding[] = explain("v=0").report.findings;
  return first?.ok === true && unmet.length === 0 && findings.length >= 0 && !(report instanceof ConfigError);
}
`,
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"], typeRoots: [join(root, "node_modules/@types")] },
        files: ["typed.ts"],
      }),
    );
    const r = await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], app);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
