import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { chromiumAvailable, launchChromium } from "../helpers/chromium.js";
import { expectValidReport } from "../helpers/schema.js";
import { startServeProcess, type ServeProcess } from "../helpers/serve-process.js";
import { requireLabTools, notRootReason, startLab, type Lab, forwardTcp } from "./lab.js";

/**
 * Issue 13's acceptance: a real Chromium in a client namespace behind a symmetric NAT and behind a
 * port-restricted NAT opens serve's test page; serve runs behind a port-restricted NAT of its own
 * (its HTTP ports forwarded, as a user would), handing out the lab's STUN servers and, on the second
 * port, its TURN server too. Chromium keeps its mDNS host names, as visitors' browsers do.
 */

const COTURN = ["198.51.100.3", "198.51.100.4"];
const STUN = COTURN.flatMap((ip) => ["--stun", `stun:${ip}:3478`]);
const TURN = ["--turn", `turn:${COTURN[0]}:3478?transport=udp`, "--username", "u", "--credential", "p"];
const STUN_ONLY_PORT = "8787";
const WITH_TURN_PORT = "8788";

const skipReason = notRootReason() ?? (chromiumAvailable() ? undefined : "Debian's chromium is not installed");

describe.skipIf(skipReason !== undefined)("NAT lab: serve's test page in a real Chromium behind a NAT", () => {
  let lab: Lab;
  const serves: ServeProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), "rtc-doctor-lab-reports-"));

  beforeAll(async () => {
    requireLabTools();
    lab = startLab({
      coturns: [{ name: "turn", ips: COTURN }],
      sites: [
        { name: "srv", profile: "port-restricted-cone" },
        { name: "sym", profile: "symmetric" },
        { name: "prc", profile: "port-restricted-cone" },
      ],
    });
    const srv = lab.sites["srv"]!;
    const common = ["--no-stun-port", "--advertise", srv.publicIp, "--share-ice-servers", "--reports-dir", dir, ...STUN];
    for (const [port, extra] of [[STUN_ONLY_PORT, []], [WITH_TURN_PORT, TURN]] as const) {
      forwardTcp(srv, port);
      serves.push(await startServeProcess(["--port", port, ...common, ...extra], { prefix: ["ip", "netns", "exec", srv.client] }));
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(serves.map((s) => s.stop()));
    lab?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  async function visit(site: string, port: string): Promise<{ verdict: string; report: Report; text: string }> {
    const chromium = await launchChromium([], { namespace: lab.sites[site]!.client });
    try {
      const page = await chromium.browser.newPage();
      await page.goto(`http://${lab.sites["srv"]!.publicIp}:${port}/`, { timeout: 20_000 });
      await page.click("#start");
      await page.waitForSelector("#consent:not([hidden]), #failure:not([hidden])", { timeout: 120_000 });
      const failure = await page.$eval("#failure", (e) => (e.hidden ? "" : (e.textContent ?? "")));
      if (failure) throw new Error(`the page failed: ${failure}`);
      const verdict = await page.$eval("#verdict", (e) => e.textContent ?? "");
      await page.click("#send");
      await page.waitForSelector("#sent:not([hidden])", { timeout: 20_000 });
      const id = await page.$eval("#report-id", (e) => e.textContent ?? "");
      await page.screenshot({ path: join(dir, `${site}-${port}.png`) });
      const text = await page.$eval("body", (e) => e.innerText);
      const report = JSON.parse(readFileSync(join(dir, `${id}.json`), "utf8")) as Report;
      expectValidReport(report);
      return { verdict, report, text };
    } finally {
      await chromium.close();
    }
  }

  const errors = (report: Report) => report.findings.filter((f) => f.severity === "error").map((f) => f.id);

  it("symmetric NAT and no TURN: no path, and the report names the symmetric NAT", { timeout: 240_000 }, async () => {
    const { verdict, report, text } = await visit("sym", STUN_ONLY_PORT);
    expect(verdict).toMatch(/cannot reach the server/);
    expect(report.nat).toMatchObject({ classic: "symmetric", method: "multi-server" });
    expect(report.connectivity?.[0]).toMatchObject({ ok: false, iceTransportPolicy: "all" });
    expect(errors(report)[0]).toBe("symmetric-nat-without-turn");
    expect(text).toContain("Symmetric NAT and no working TURN server");
  });

  it("symmetric NAT with TURN handed out: connected through the relay, no error", { timeout: 240_000 }, async () => {
    const { verdict, report } = await visit("sym", WITH_TURN_PORT);
    expect(verdict).toMatch(/only through the relay/);
    const all = report.connectivity?.find((c) => c.iceTransportPolicy === "all");
    expect(all?.ok).toBe(true);
    expect([all?.selectedPair?.local.type, all?.selectedPair?.remote.type]).toContain("relay");
    expect(report.servers.find((s) => s.kind === "turn")).toMatchObject({ ok: true });
    expect(errors(report)).toEqual([]);
  });

  it("port-restricted NAT and no TURN: connects directly, no error", { timeout: 240_000 }, async () => {
    const { verdict, report } = await visit("prc", STUN_ONLY_PORT);
    expect(verdict).toMatch(/connect directly/);
    expect(report.nat).toMatchObject({ mapping: "endpoint-independent" });
    expect(report.connectivity?.[0]).toMatchObject({ ok: true });
    expect(errors(report)).toEqual([]);
  });
});
