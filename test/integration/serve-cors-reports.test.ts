import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { runCli } from "../helpers/cli.js";

const PAGE = "http://app.example.test:8080";
const TOKEN = "cors-t0ken-s3cr3t";
const TURN_SECRET = "turn-cr3dential-xyz";

// CORS as browsers speak it, and the report endpoints' answers to input that is not a report.
describe("serve: CORS and the report endpoints", () => {
  let serve: RunningServe;
  beforeAll(async () => {
    serve = await startServe({
      host: "127.0.0.1",
      port: 0,
      token: TOKEN,
      allowOrigins: [PAGE],
      iceServers: [{ urls: ["turn:127.0.0.1:3478"], username: "u", credential: TURN_SECRET }],
      shareIceServers: true,
    });
  });
  afterAll(async () => {
    await serve?.close();
  });

  const preflight = (path: string, origin: string) =>
    fetch(`${serve.url}${path}`, { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" } });

  it("answers a preflight from an allowed origin without the token, and without Link headers", async () => {
    for (const path of ["/whip", "/api/offer", "/reports", "/whip/sessions/abc"]) {
      const r = await preflight(path, PAGE);
      expect(r.status).toBe(204);
      expect(r.headers.get("access-control-allow-origin")).toBe(PAGE);
      expect(r.headers.get("access-control-allow-methods")).toMatch(/POST/);
      expect(r.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
      expect(r.headers.get("access-control-allow-headers")).toMatch(/If-Match/);
      expect(r.headers.get("vary")).toBe("Origin");
      // The shared ICE servers' credentials go only to a request that carries the token.
      expect(r.headers.get("link")).toBeNull();
    }
  });

  it("gives an origin not on the list nothing to allow it", async () => {
    const r = await preflight("/whip", "http://elsewhere.example.test");
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
    expect(r.headers.get("access-control-allow-methods")).toBeNull();
  });

  it("exposes Location, Link and ETag to the allowed page; the token is still needed for the real request", async () => {
    const denied = await fetch(`${serve.url}/whip`, { method: "OPTIONS", headers: { Origin: PAGE } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe(PAGE);
    const r = await fetch(`${serve.url}/whip`, { method: "OPTIONS", headers: { Origin: PAGE, Authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-expose-headers")).toMatch(/Location.*Link.*ETag/);
    expect(r.headers.get("link")).toContain("turn:127.0.0.1:3478");
  });

  it("serves the test page to a browser and the usage to everyone else, without the token", async () => {
    const page = await fetch(`${serve.url}/`, { headers: { Accept: "text/html,application/xhtml+xml" } });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('src="page/app.js"');
    const script = await fetch(`${serve.url}/page/app.js`);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(await script.text()).not.toContain(TURN_SECRET);
    expect(await (await fetch(`${serve.url}/`)).text()).toMatch(/^rtc-doctor serve/);
    // The page's configuration holds the shared credentials: behind the token.
    expect((await fetch(`${serve.url}/page/config`)).status).toBe(401);
    const config = (await (await fetch(`${serve.url}/page/config`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { iceServers: { urls: string[] }[] };
    expect(config.iceServers[0]?.urls).toEqual(["turn:127.0.0.1:3478"]);
  });

  it("refuses what is not a test-page report with one line naming the fault, and unknown ids with 404", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };
    const post = (body: string) => fetch(`${serve.url}/reports`, { method: "POST", headers: auth, body });
    const notJson = await post("{nope");
    expect(notJson.status).toBe(400);
    expect(await notJson.text()).toBe("expected a JSON object\n");
    const wrong = await post(JSON.stringify({ kind: "rtc-doctor-browser-observation", version: 1, servers: [] }));
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toMatch(/^not a test-page report: \/ must have required property '\w+'\n$/);
    const flood = await post(JSON.stringify({ kind: "rtc-doctor-browser-observation", version: 1, userAgent: "x", startedAt: new Date().toISOString(), durationMs: 1, timeoutMs: 1, connections: [], servers: Array.from({ length: 40 }, () => ({ url: "stun:a", durationMs: 1, timedOut: false, candidates: [], errors: [] })) }));
    expect(await flood.text()).toMatch(/^not a test-page report: \/servers must NOT have more than 32 items\n$/);
    expect((await fetch(`${serve.url}/reports/abcdefgh`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${serve.url}/reports/abcdefgh`)).status).toBe(401);
  });

  it("names a bad --allow-origin on the command line, exit 2", async () => {
    const r = await runCli(["serve", "--port", "0", "--allow-origin", "http://example.test/path"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--allow-origin.*not an origin/);
  });
});

describe("serve: Pipecat /start places", () => {
  it("keeps at most maxSessions of them: the oldest goes first", async () => {
    const serve = await startServe({ host: "127.0.0.1", port: 0, maxSessions: 2 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) ids.push(((await (await fetch(`${serve.url}/start`, { method: "POST", body: "{}" })).json()) as { sessionId: string }).sessionId);
      const offer = (id: string | undefined) => fetch(`${serve.url}/sessions/${id}/api/offer`, { method: "POST", body: "not json" });
      expect((await offer(ids[0])).status).toBe(404);
      // Still held: the request gets as far as reading its body.
      expect((await offer(ids[2])).status).toBe(400);
      expect((await offer(ids[1])).status).toBe(400);
    } finally {
      await serve.close();
    }
  });
});
