import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Report } from "../../src/report/types.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { runCli } from "../helpers/cli.js";
import { expectValidReport } from "../helpers/schema.js";

// No STUN/TURN and no loopback: only the remote attempt and its restart. Bounds keep a failure short.
const BOUNDS = ["--no-nat", "--no-gather", "--no-connect", "--timeout", "3000", "--connect-timeout", "8000"];

const FAST: string[] = [];

describe("check --signal URL --restart through the CLI", () => {
  let serve: RunningServe;
  let refusing: Server;
  let refusingUrl = "";
  beforeAll(async () => {
    serve = await startServe({ host: "127.0.0.1", port: 0, stun: { port: 0 } });
    FAST.push(...BOUNDS, "--stun", `stun:127.0.0.1:${serve.stun?.address.port ?? 0}`);
    // serve behind a front that answers 405 to every PATCH, as WHIP endpoints without restarts do.
    refusing = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method === "PATCH") {
          res.writeHead(405, { Allow: "POST, DELETE", "Content-Type": "text/plain" }).end("Method Not Allowed\n");
          return;
        }
        void fetch(new URL(req.url ?? "/", serve.url), { method: req.method, headers: req.headers as Record<string, string>, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) }).then(async (r) => {
          const headers: Record<string, string> = {};
          r.headers.forEach((v, k) => {
            if (k !== "content-length" && k !== "transfer-encoding" && k !== "connection") headers[k] = v;
          });
          res.writeHead(r.status, headers).end(Buffer.from(await r.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const address = refusing.address();
    refusingUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/whip`;
  });
  afterAll(async () => {
    refusing?.closeAllConnections();
    await new Promise<void>((resolve) => refusing?.close(() => resolve()));
    await serve?.close();
  });

  test("WHIP against serve: the restart is in the JSON (schema-valid), --expect restart is met, exit 0", async () => {
    const result = await runCli(["check", "--signal", `${serve.url}/whip`, "--protocol", "whip", "--restart", "--expect", "restart", ...FAST, "--json"], { timeoutMs: 60_000 });
    const report = JSON.parse(result.stdout) as Report;
    expectValidReport(report);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.restart).toMatchObject({ requestedBy: "whip-patch", status: 200, accepted: true, reconnected: true, echo: { sent: 3, received: 3 } });
    expect(report.expectations).toEqual([expect.objectContaining({ expectation: "restart", met: true })]);
    expect(report.findings.map((f) => f.id)).not.toContain("far-end-cannot-restart-ice");
    expect(result.code).toBe(0);
  });

  test("a WHIP endpoint that answers 405 to PATCH is named, in every format, and --expect restart fails", async () => {
    const json = await runCli(["check", "--signal", refusingUrl, "--protocol", "whip", "--restart", "--expect", "restart", ...FAST, "--json"], { timeoutMs: 60_000 });
    const report = JSON.parse(json.stdout) as Report;
    expectValidReport(report);
    const remote = report.connectivity?.find((c) => c.mode === "remote");
    expect(remote?.ok).toBe(true);
    expect(remote?.restart).toMatchObject({ requestedBy: "whip-patch", status: 405, accepted: false, refusal: { code: "method-not-allowed" } });
    expect(report.findings.map((f) => `${f.id}/${f.message}`)).toEqual(expect.arrayContaining(["far-end-cannot-restart-ice/refused", "expectation-failed/not-met"]));
    expect(json.code).toBe(1);

    const human = await runCli(["check", "--signal", refusingUrl, "--protocol", "whip", "--restart", ...FAST], { timeoutMs: 60_000 });
    expect(human.stdout).toMatch(/ICE restart \(WHIP PATCH If-Match \*\), refused: the ICE restart PATCH answered 405/);
    expect(human.stdout).toMatch(/far-end-cannot-restart-ice/);
    const markdown = await runCli(["check", "--signal", refusingUrl, "--protocol", "whip", "--restart", ...FAST, "--format", "markdown"], { timeoutMs: 60_000 });
    expect(markdown.stdout).toMatch(/\| ICE restart via `[^`]+` \| \| ❌ \| ICE restart \(WHIP PATCH If-Match \*\), refused/);
    const junit = await runCli(["check", "--signal", refusingUrl, "--protocol", "whip", "--restart", ...FAST, "--format", "junit"], { timeoutMs: 60_000 });
    expect(junit.stdout).toMatch(/<testsuite name="rtc-doctor\.restart"[^>]*failures="1"/);
    expect(junit.stdout).toMatch(/<testcase [^>]*name="ICE restart via [^"]+"/);
  });

  test("with --token the restart PATCH carries it, and no output shows it, in any format", async () => {
    const token = "r3start-s3cr3t-token";
    const guarded = await startServe({ host: "127.0.0.1", port: 0, token });
    try {
      for (const format of ["json", "human", "markdown", "junit"]) {
        const result = await runCli(["check", "--signal", `${guarded.url}/whip`, "--protocol", "whip", "--restart", "--token", token, ...FAST, "--format", format], { timeoutMs: 60_000 });
        expect(`${result.stdout}${result.stderr}`).not.toContain(token);
        expect(`${result.stdout}${result.stderr}`).not.toContain("s3cr3t");
        if (format === "json") {
          const report = JSON.parse(result.stdout) as Report;
          // serve answers 401 without the token: a 200 shows it went with the PATCH.
          expect(report.connectivity?.find((c) => c.mode === "remote")?.restart).toMatchObject({ status: 200, accepted: true, reconnected: true });
        }
      }
    } finally {
      await guarded.close();
    }
  });

  test("--restart without --signal is a usage error (exit 2, one line)", async () => {
    const result = await runCli(["check", "--restart", "--no-nat"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^rtc-doctor: --restart applies to --signal, and no --signal URL was given$/m);
  });
});
