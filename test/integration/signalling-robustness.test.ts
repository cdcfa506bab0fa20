import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { connectRemote, type RemoteOptions } from "../../src/probes/connect/remote.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { MAX_REDIRECTS, retryAfterMs } from "../../src/signalling/http.js";
import { startFront, type Front, type FrontReply, type FrontRequest } from "../helpers/http-front.js";

/**
 * RFC 9725 section 4.5 and the signalling note: WHIP endpoints may answer 307/308 (the POST and its
 * body go to the new URL) or 503 with Retry-After. A front server makes those answers in front of a
 * real rtc-doctor serve, so a followed redirect or a retry must end in a real connection.
 */

// Bounds only; no assertion depends on a duration.
const BASE = { trickle: false, gatherTimeoutMs: 5000, httpTimeoutMs: 5000, connectTimeoutMs: 10_000, echoCount: 1, iceServers: [] };

let serve: RunningServe;
const fronts: Front[] = [];
beforeAll(async () => {
  serve = await startServe({ host: "127.0.0.1", port: 0 });
});
afterEach(async () => {
  await Promise.all(fronts.splice(0).map((f) => f.close()));
});
afterAll(async () => {
  await serve?.close();
});

async function front(decide: (req: FrontRequest, count: number) => FrontReply, backend: string | undefined = serve.url): Promise<Front> {
  const f = await startFront({ ...(backend ? { backend } : {}), decide });
  fronts.push(f);
  return f;
}

const run = (overrides: Partial<RemoteOptions> & Pick<RemoteOptions, "url">) => connectRemote({ protocol: "whip", ...BASE, ...overrides });
const steps = (fact: Awaited<ReturnType<typeof run>>) => fact.signalling?.exchanges.map((e) => `${e.method} ${e.status ?? e.error}`);

describe("WHIP redirects (307/308)", () => {
  test("307 to another server: OPTIONS and POST follow with the same method and body, and the session connects there", async () => {
    const f = await front((req) => (req.path.startsWith("/whip") ? { status: 307, headers: { Location: `${serve.url}/whip` } } : undefined));
    const fact = await run({ url: `${f.url}/whip` });
    expect(fact.error, JSON.stringify(fact.error)).toBeUndefined();
    expect(fact.ok).toBe(true);
    expect(steps(fact)).toEqual(["OPTIONS 307", "OPTIONS 204", "POST 307", "POST 201", "DELETE 200"]);
    // The front saw the POST body once, and the backend answered that same offer.
    expect(f.seen.find((r) => r.method === "POST")?.body).toMatch(/^v=0/);
    expect(fact.signalling?.exchanges[2]?.headers["location"]).toBe(`${serve.url}/whip`);
    expect(serve.sessionCount()).toBe(0);
  });

  test("308 with a relative Location on the same origin; the session URL resolves against the final URL", async () => {
    const f = await front((req) => (req.path === "/old/whip" ? { status: 308, headers: { Location: "/whip" } } : undefined));
    const fact = await run({ url: `${f.url}/old/whip` });
    expect(fact.ok).toBe(true);
    expect(steps(fact)).toEqual(["OPTIONS 308", "OPTIONS 204", "POST 308", "POST 201", "DELETE 200"]);
    expect(fact.signalling?.sessionDeleted).toBe(true);
  });

  test(`a redirect loop ends after ${MAX_REDIRECTS} hops with a signalling error`, async () => {
    const f = await front(() => ({ status: 307, headers: { Location: "/loop" } }), undefined);
    const fact = await run({ url: `${f.url}/loop` });
    expect(fact).toMatchObject({ ok: false, stalledIn: "signalling", error: { code: "protocol-error" } });
    expect(fact.error?.message).toMatch(/redirected more than 5 times/);
    expect(f.seen.filter((r) => r.method === "POST")).toHaveLength(MAX_REDIRECTS + 1);
  });

  test("302 is not followed (it would turn the POST into a GET), and the error says which redirects WHIP allows", async () => {
    const f = await front((req) => (req.method === "POST" ? { status: 302, headers: { Location: `${serve.url}/whip` } } : undefined));
    const fact = await run({ url: `${f.url}/whip` });
    expect(fact).toMatchObject({ ok: false, stalledIn: "signalling" });
    expect(fact.error?.message).toMatch(/answered 302 .*307\/308/);
  });

  test("with a token, a redirect to another origin over plain http is refused and the token never goes there", async () => {
    const elsewhere = await front(() => undefined);
    const f = await front((req) => (req.method === "POST" ? { status: 307, headers: { Location: `${elsewhere.url}/whip` } } : undefined));
    const fact = await run({ url: `${f.url}/whip`, token: "tok-s3cr3t-value" });
    expect(fact).toMatchObject({ ok: false, stalledIn: "signalling" });
    expect(fact.error?.message).toMatch(/another origin over plain http/);
    expect(elsewhere.seen).toEqual([]);
    expect(JSON.stringify(fact)).not.toContain("tok-s3cr3t-value");
  });
});

describe("WHIP 503 Service Unavailable with Retry-After", () => {
  test("a short Retry-After: one retry, then the session connects", async () => {
    let refused = 0;
    const f = await front((req) => (req.method === "POST" && refused++ === 0 ? { status: 503, headers: { "Retry-After": "0" }, body: "busy" } : undefined));
    const fact = await run({ url: `${f.url}/whip` });
    expect(fact.ok).toBe(true);
    expect(steps(fact)).toEqual(["OPTIONS 204", "POST 503", "POST 201", "DELETE 200"]);
    expect(fact.signalling?.exchanges[1]?.headers["retry-after"]).toBe("0");
  });

  test("still 503 after the one retry: reported, not retried again", async () => {
    const f = await front((req) => (req.method === "POST" ? { status: 503, headers: { "Retry-After": "0" } } : undefined));
    const fact = await run({ url: `${f.url}/whip` });
    expect(fact).toMatchObject({ ok: false, stalledIn: "signalling", error: { code: "protocol-error" } });
    expect(fact.error?.message).toMatch(/503 .*still 503 after one retry/);
    expect(f.seen.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  test("a long Retry-After is reported at once with the wait the server asked for", async () => {
    const f = await front((req) => (req.method === "POST" ? { status: 503, headers: { "Retry-After": "120" }, body: "maintenance" } : undefined));
    const fact = await run({ url: `${f.url}/whip` });
    expect(fact.error?.message).toMatch(/503 .*Retry-After 120 s, longer than rtc-doctor waits \(5 s\).*maintenance/);
    expect(f.seen.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  test("Retry-After as seconds or an HTTP-date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("3", now)).toBe(3000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:04 GMT", now)).toBe(4000);
    expect(retryAfterMs("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
