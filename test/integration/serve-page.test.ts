import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { chromiumAvailable, launchChromium } from "../helpers/chromium.js";
import { runCli } from "../helpers/cli.js";
import { startCoturn, type Coturn } from "../helpers/coturn.js";
import { expectValidReport } from "../helpers/schema.js";

const ROOT = new URL("../../", import.meta.url);

/** The test page on another origin, as an app would embed it: the same files, served elsewhere. */
async function otherOrigin(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const file = req.url?.startsWith("/page/app.js") ? "page/app.js" : "page/index.html";
    res.writeHead(200, { "Content-Type": file.endsWith(".js") ? "text/javascript" : "text/html" }).end(readFileSync(new URL(file, ROOT)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        // Chromium keeps its connections alive for minutes; close would wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PAGE_BOUND_MS = 90_000;

/** Runs the test as a visitor would: Start, wait for the verdict, read what will be sent, Send. */
async function runPage(page: Page, url: string): Promise<{ verdict: string; outgoing: string; id: string; text: string }> {
  await page.goto(url, { timeout: 20_000 });
  await page.click("#start");
  await page.waitForSelector("#consent:not([hidden]), #failure:not([hidden])", { timeout: PAGE_BOUND_MS });
  const failure = await page.$eval("#failure", (e) => (e.hidden ? "" : e.textContent ?? ""));
  if (failure) throw new Error(`the page failed: ${failure}`);
  const verdict = await page.$eval("#verdict", (e) => e.textContent ?? "");
  const outgoing = await page.$eval("#outgoing", (e) => e.textContent ?? "");
  await page.click("#send");
  await page.waitForSelector("#sent:not([hidden]), #failure:not([hidden])", { timeout: 20_000 });
  const id = await page.$eval("#report-id", (e) => e.textContent ?? "");
  const text = await page.$eval("body", (e) => e.innerText);
  return { verdict, outgoing, id, text };
}

describe.skipIf(!chromiumAvailable())("serve's test page in a real Chromium", () => {
  let coturn: Coturn;
  let serve: RunningServe;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let other: Awaited<ReturnType<typeof otherOrigin>>;
  const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-reports-"));
  const log: string[] = [];

  beforeAll(async () => {
    coturn = await startCoturn({ tls: false });
    other = await otherOrigin();
    serve = await startServe({
      host: "127.0.0.1",
      port: 0,
      iceServers: [{ urls: [`turn:127.0.0.1:${coturn.port}?transport=udp`], username: coturn.user, credential: coturn.password }],
      shareIceServers: true,
      stun: { port: 0 },
      allowOrigins: [other.origin],
      reports: { dir },
      log: (line) => log.push(line),
    });
    chromium = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await serve?.close();
    await other?.close();
    await coturn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tests the visitor's network against serve, stores the report and shows its id", { timeout: 180_000 }, async () => {
    const page = await chromium.browser.newPage();
    try {
      const run = await runPage(page, `${serve.url}/`);
      expect(run.verdict).toMatch(/connect directly/);
      // What will be sent is said before it is sent: the browser, the servers, the attempts.
      expect(run.outgoing).toContain("Your browser:");
      expect(run.outgoing).toContain(`turn:127.0.0.1:${coturn.port}?transport=udp`);
      expect(run.id).toMatch(/^[2-9a-z]{8}$/);
      // The TURN credential reaches the browser (it must, to use the server) but never its visible text.
      expect(run.text).not.toContain(coturn.password);

      const stored = readFileSync(join(dir, `${run.id}.json`), "utf8");
      expect(stored).not.toContain(coturn.password);
      const report = JSON.parse(stored);
      expectValidReport(report);
      expect(report.vantage).toMatchObject({ kind: "browser" });
      expect(report.vantage.userAgent).toMatch(/Chrome\//);
      const [all, relay] = report.connectivity;
      expect(all).toMatchObject({ mode: "remote", iceTransportPolicy: "all", ok: true });
      expect(relay).toMatchObject({ iceTransportPolicy: "relay", ok: true });
      expect(relay.selectedPair.local.type).toBe("relay");
      const turnGathering = report.gathering.find((g: { url: string }) => g.url.startsWith("turn:"));
      expect(turnGathering).toMatchObject({ ok: true });
      expect(turnGathering.relay).toBeGreaterThan(0);
      expect(report.findings.filter((f: { severity: string }) => f.severity === "error")).toEqual([]);

      // The operator's view: one line per report, and the JSON back by id.
      expect(log.find((l) => l.startsWith(`report ${run.id} from Chrome/`))).toMatch(/: any path connected direct, relay only connected via relay, candidates host\/relay\/srflx, /);
      const back = await fetch(`${serve.url}/reports/${run.id}`);
      expect(back.status).toBe(200);
      expect(await back.json()).toEqual(report);
      // explain reads a stored report and judges its facts again.
      const explained = await runCli(["explain", join(dir, `${run.id}.json`), "--json"]);
      expect(explained.code).toBe(0);
      expect(JSON.parse(explained.stdout).explain).toMatchObject({ input: "report" });
    } finally {
      await page.close();
    }
  });

  it("--redact: the stored report keeps each address's class, not the address", { timeout: 180_000 }, async () => {
    const redacting = await startServe({ host: "127.0.0.1", port: 0, stun: { port: 0 }, reports: { dir, redact: true } });
    const page = await chromium.browser.newPage();
    try {
      const run = await runPage(page, `${redacting.url}/`);
      const stored = readFileSync(join(dir, `${run.id}.json`), "utf8");
      expect(stored).not.toMatch(/127\.0\.0\.1/);
      const report = JSON.parse(stored);
      expectValidReport(report);
      expect(report.servers[0].url).toMatch(/^stun:ip4-loopback-\d+:\d+$/);
      expect(report.candidates.filter((c: { type: string }) => c.type === "srflx").every((c: { address: string; addressClass: string }) => /^ip4-loopback-\d+$/.test(c.address) && c.addressClass === "loopback")).toBe(true);
    } finally {
      await page.close();
      await redacting.close();
    }
  });

  it("runs from a page on another origin through CORS, and not from an origin serve does not allow", { timeout: 180_000 }, async () => {
    const page = await chromium.browser.newPage();
    try {
      const before = readdirSync(dir).length;
      const run = await runPage(page, `${other.origin}/?server=${encodeURIComponent(serve.url)}`);
      expect(run.verdict).toMatch(/connect directly/);
      expect(readdirSync(dir).length).toBe(before + 1);

      // The same page from an origin not on the list: the browser refuses serve's answers.
      const stranger = await otherOrigin();
      try {
        await page.goto(`${stranger.origin}/?server=${encodeURIComponent(serve.url)}`);
        await page.click("#start");
        await page.waitForSelector("#failure:not([hidden])", { timeout: 20_000 });
        expect(await page.$eval("#failure", (e) => e.textContent)).toMatch(/could not reach .* does not allow pages from http:\/\/127\.0\.0\.1:\d+/);
      } finally {
        await stranger.close();
      }
    } finally {
      await page.close();
    }
  });
});
