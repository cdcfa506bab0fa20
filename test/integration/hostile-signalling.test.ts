import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.js";
import { startServe, type RunningServe } from "../../src/serve/server.js";
import { MAX_LINK_ICE_SERVERS } from "../../src/signalling/link-header.js";
import { MAX_RESPONSE_BYTES, MAX_RESPONSE_HEADER_BYTES } from "../../src/signalling/http.js";
import { expectContained, runCase, SECRET, type HostileCase } from "../helpers/hostile-run.js";
import { drip, flood, startHostileHttp, type Hostile } from "../helpers/hostile-servers.js";
import { startUdpStunTarget, type UdpStunTarget } from "../helpers/udp-stun-target.js";

// The real CLI against WHIP and Pipecat endpoints that misbehave (an HTTP server the test starts,
// on loopback, one path per fault), and against a real far end (rtc-doctor serve) behind paths that
// break its answers. Each case: exit 1, no stack trace, the fault named, no piece of the token, and a
// run that ends within a few times its configured timeouts.
const TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 3000;
/** With a real far end the answer waits for its werift peer to gather: more room than a fault needs. */
const FAR_END_TIMEOUT_MS = 3000;
const FIFTY_MB = 50 * 1024 * 1024;

let stun: UdpStunTarget;
let http: Hostile & { url: string };
let serve: RunningServe;

const SDP_HEADERS = { "content-type": "application/sdp" };
const JSON_HEADERS = { "content-type": "application/json" };
/** Only POST misbehaves; WHIP's optional OPTIONS gets a plain 204, so each case's waits are the POST's. */
const onPost = (route: (req: IncomingMessage, res: ServerResponse, body: string) => void) => (req: IncomingMessage, res: ServerResponse, body: string) =>
  req.method === "POST" ? route(req, res, body) : res.writeHead(req.method === "OPTIONS" ? 204 : 405).end();

/** Relays a request to the real far end and lets `change` rewrite the answer's headers and body. */
function toServe(path: string, change: (status: number, headers: Record<string, string>, body: string) => { headers: Record<string, string>; body: string }) {
  return async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const answer = await fetch(`${serve.url}${path}`, { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/sdp" }, body: req.method === "POST" ? body : undefined });
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== "content-length" && name !== "transfer-encoding" && name !== "connection" && name !== "keep-alive") headers[name] = value;
    });
    const changed = change(answer.status, headers, await answer.text());
    res.writeHead(answer.status, changed.headers).end(changed.body);
  };
}

/**
 * `count` candidate lines, as short as a valid one gets, so that 20,000 fit in a signalling answer
 * (1 MiB, and JSON-escaped for Pipecat): single-digit foundations, one port each, on loopback.
 */
function withCandidates(sdp: string, count: number): string {
  const eol = sdp.includes("\r\n") ? "\r\n" : "\n";
  const extra = Array.from({ length: count }, (_, i) => `a=candidate:${i % 10} 1 udp 1 127.0.0.1 ${10_000 + i} typ host`).join(eol);
  // After the far side's own candidates, as a stack lists its real ones first.
  const at = sdp.lastIndexOf("a=candidate:");
  const lineEnd = sdp.indexOf(eol, at) + eol.length;
  return sdp.slice(0, lineEnd) + extra + eol + sdp.slice(lineEnd);
}

const links = (count: number) => Array.from({ length: count }, (_, i) => `<turn:127.0.0.1:${3478 + i}?transport=udp>; rel="ice-server"; username="u${i}"; credential="c${i}"`).join(", ");

beforeAll(async () => {
  stun = await startUdpStunTarget({ answerAfterMs: 0 });
  serve = await startServe({ host: "127.0.0.1", port: 0 });
  http = await startHostileHttp({
    "/whip/never": () => {},
    "/whip/stalled-body": onPost((_req, res) => {
      res.writeHead(201, { ...SDP_HEADERS, location: "/whip/session" });
      res.write("v=0\r\n");
    }),
    "/whip/drip": onPost((_req, res) => drip(res, 201, { ...SDP_HEADERS, location: "/whip/session" }, "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n")),
    "/whip/50mb": onPost((_req, res) => flood(res, 201, SDP_HEADERS, FIFTY_MB, true)),
    "/whip/50mb-chunked": onPost((_req, res) => flood(res, 201, SDP_HEADERS, FIFTY_MB, false)),
    "/whip/loop": (_req, res) => res.writeHead(307, { location: "/whip/loop" }).end(),
    "/whip/garbage-sdp": onPost((_req, res) => res.writeHead(201, { ...SDP_HEADERS, location: "/whip/session" }).end("v=0\r\nthis is \u001b[31mnot\u001b[0m an SDP\r\n\u0000\u0001")),
    "/whip/html-error": onPost((req, res) =>
      // An error page that quotes the request's Authorization header, after a padding that puts it across the summary's cut.
      res
        .writeHead(500, { "content-type": "text/html" })
        .end(
          `<html><head><style>body { font-family: Arial; color: #c00 } .x { margin: 0 }</style><script>var t = 1;</script></head>` +
            `<body><h1>Internal Server Error</h1><p>${"upstream said no. ".repeat(7)}(${req.headers.authorization})</p></body></html>`,
        ),
    ),
    "/whip/many-links": onPost((_req, res) => res.writeHead(201, { ...SDP_HEADERS, location: "/whip/session", link: links(100) }).end("v=0\r\n")),
    "/whip/long-links": onPost((_req, res) =>
      res.writeHead(201, { ...SDP_HEADERS, location: "/whip/session", link: `<stun:127.0.0.1:3478>; rel="ice-server"; x="${"a".repeat(20_000)}"` }).end("v=0\r\n"),
    ),
    "/whip/huge-headers": onPost((_req, res) => res.writeHead(201, { ...SDP_HEADERS, "x-padding": "p".repeat(MAX_RESPONSE_HEADER_BYTES + 1024) }).end("v=0\r\n")),
    "/whip/session": (_req, res) => res.writeHead(200).end(),
    "/whip/no-location": toServe("/whip", (_status, headers, body) => {
      const { location: _location, ...rest } = headers;
      return { headers: rest, body };
    }),
    "/whip/20000": toServe("/whip", (status, headers, body) => ({ headers, body: status === 201 ? withCandidates(body, 20_000) : body })),
    "/pipecat/never/api/offer": () => {},
    "/pipecat/invalid-json/api/offer": onPost((_req, res) => res.writeHead(200, JSON_HEADERS).end('{"sdp": "v=0\\r\\n", "type": "answer", pc_id: ')),
    "/pipecat/no-sdp/api/offer": onPost((_req, res) => res.writeHead(200, JSON_HEADERS).end(JSON.stringify({ type: "answer", pc_id: "SmallWebRTCConnection#0-x" }))),
    "/pipecat/garbage-sdp/api/offer": onPost((_req, res) => res.writeHead(200, JSON_HEADERS).end(JSON.stringify({ sdp: "v=0\r\nnonsense\r\n", type: "answer", pc_id: "pc" }))),
    "/pipecat/50mb/api/offer": onPost((_req, res) => flood(res, 200, JSON_HEADERS, FIFTY_MB, false)),
    "/pipecat/drip/api/offer": onPost((_req, res) => drip(res, 200, JSON_HEADERS, JSON.stringify({ sdp: "v=0", type: "answer", pc_id: "x" }))),
    "/pipecat/start": onPost((_req, res) => res.writeHead(200, JSON_HEADERS).end("<html>not json</html>")),
    "/pipecat/20000/api/offer": toServe("/api/offer", (status, headers, body) => {
      if (status !== 200) return { headers, body };
      const answer = JSON.parse(body) as { sdp: string };
      return { headers, body: JSON.stringify({ ...answer, sdp: withCandidates(answer.sdp, 20_000) }) };
    }),
  });
});
afterAll(async () => {
  await http?.stop();
  await serve?.close();
  await stun?.stop();
});

const signal = (protocol: "whip" | "pipecat", path: string, extra: string[] = [], timeoutMs = TIMEOUT_MS) => [
  "check",
  "--no-gather",
  "--no-nat",
  "--no-connect",
  "--timeout",
  String(timeoutMs),
  "--signal-timeout",
  String(timeoutMs),
  "--connect-timeout",
  String(CONNECT_TIMEOUT_MS),
  "--stun",
  `stun:127.0.0.1:${stun.port}`,
  "--token",
  SECRET,
  "--protocol",
  protocol,
  ...extra,
  "--signal",
  `${http.url}${path}`,
];

/** A case against one hostile path: the args are built when it runs, once the servers have their ports. */
function signalCase(name: string, protocol: "whip" | "pipecat", path: string, words: RegExp[], budgetMs = TIMEOUT_MS, extra: string[] = []): HostileCase {
  return {
    name,
    get args() {
      return signal(protocol, path, extra);
    },
    budgetMs,
    words,
  };
}

describe.concurrent("WHIP endpoints that misbehave", () => {
  it.each([
    signalCase("never answers", "whip", "/whip/never", [/no response from http:\/\/127\.0\.0\.1:\d+\/whip\/never within 1000 ms/, /did not answer the offer within 1\.0 s \[far-side-slow-answer\]/], 2 * TIMEOUT_MS),
    signalCase("a body that stalls", "whip", "/whip/stalled-body", [/answered 201, then its body did not complete within 1000 ms \(5 bytes received: a stalled or trickling body\)/]),
    signalCase("one byte per second", "whip", "/whip/drip", [/answered 201, then its body did not complete within 1000 ms \(\d bytes? received/]),
    signalCase("a 50 MB body (Content-Length)", "whip", "/whip/50mb", [new RegExp(`answered 201 with a ${FIFTY_MB}-byte body, more than the ${MAX_RESPONSE_BYTES} bytes a signalling answer may have`)]),
    signalCase("a 50 MB body (chunked)", "whip", "/whip/50mb-chunked", [new RegExp(`answered 201 with a body of more than ${MAX_RESPONSE_BYTES} bytes`)]),
    signalCase("a redirect loop", "whip", "/whip/loop", [/redirected more than 5 times \(a redirect loop\?\)/]),
    signalCase("garbage SDP", "whip", "/whip/garbage-sdp", [/the answer is not a usable SDP \(SDP: line 2 is not '<letter>=<value>'/]),
    signalCase("an HTML error page", "whip", "/whip/html-error", [/answered 500 instead of 201 Created: Internal Server Error upstream said no\./]),
    signalCase("100 ICE servers in Link headers", "whip", "/whip/many-links", [new RegExp(`its Link headers list 100 ICE servers, more than the ${MAX_LINK_ICE_SERVERS} rtc-doctor takes`)]),
    signalCase("20 KB of Link headers", "whip", "/whip/long-links", [/its Link headers take \d+ bytes, more than the 16384 rtc-doctor reads/]),
    signalCase("headers past the limit", "whip", "/whip/huge-headers", [new RegExp(`response headers of more than ${MAX_RESPONSE_HEADER_BYTES} bytes`)]),
  ])("$name", async (c) => {
    const run = await runCase(c);
    expectContained(c, run);
    // Nothing of a hostile body reaches the terminal as markup or control characters.
    expect(run.result.stdout).not.toMatch(/font-family|<script|<\/?p>|\u001b\[31m/);
  });
});

describe.concurrent("Pipecat endpoints that misbehave", () => {
  it.each([
    signalCase("never answers", "pipecat", "/pipecat/never/api/offer", [/no response from http:\/\/127\.0\.0\.1:\d+\/pipecat\/never\/api\/offer within 1000 ms/]),
    signalCase("invalid JSON", "pipecat", "/pipecat/invalid-json/api/offer", [/the offer endpoint answered 200 with a body that is not JSON/]),
    signalCase("JSON without sdp", "pipecat", "/pipecat/no-sdp/api/offer", [/the offer endpoint answered 200 with JSON without an "sdp" string/]),
    signalCase("garbage SDP", "pipecat", "/pipecat/garbage-sdp/api/offer", [/the answer is not a usable SDP/]),
    signalCase("a 50 MB body", "pipecat", "/pipecat/50mb/api/offer", [new RegExp(`answered 200 with a body of more than ${MAX_RESPONSE_BYTES} bytes`)]),
    signalCase("one byte per second", "pipecat", "/pipecat/drip/api/offer", [/answered 200, then its body did not complete within 1000 ms/]),
    signalCase("/start answers HTML", "pipecat", "/pipecat/start", [/POST \/start did not answer with a JSON object|\/start did not answer with a JSON object/]),
  ])("$name", async (c) => {
    expectContained(c, await runCase(c));
  });
});

// One at a time: these connect for real, and a loaded machine must not turn a slow answer into a fault.
describe("a real far end behind broken answers", () => {
  it("WHIP 201 without Location: the connection works, and what breaks is named", async () => {
    const c: HostileCase = {
      name: "WHIP 201 without Location",
      get args() {
        return signal("whip", "/whip/no-location", ["--fail-on", "warning", "--trickle"], FAR_END_TIMEOUT_MS);
      },
      budgetMs: 2 * FAR_END_TIMEOUT_MS + CONNECT_TIMEOUT_MS,
      words: [/gives no session URL \(201 without Location\) \[whip-no-location\]/, /ICE restart/],
    };
    const run = await runCase(c);
    expectContained(c, run);
    expect(run.result.stdout).toMatch(/✔ remote via/);
  });

  it.each([
    ["WHIP", "whip", "/whip/20000"],
    ["Pipecat", "pipecat", "/pipecat/20000/api/offer"],
  ] as const)("%s answer with 20,000 candidates: capped, connected, and the report stays small", async (_name, protocol, path) => {
    const c: HostileCase = {
      name: `${protocol} 20,000 candidates`,
      get args() {
        return signal(protocol, path, ["--fail-on", "warning", "--json"], FAR_END_TIMEOUT_MS);
      },
      budgetMs: 2 * FAR_END_TIMEOUT_MS + CONNECT_TIMEOUT_MS,
      words: [/"far-side-too-many-candidates"/],
    };
    const run = await runCase(c);
    expectContained(c, run);
    const report = JSON.parse(run.result.stdout) as Report;
    const remote = report.connectivity?.find((x) => x.mode === "remote");
    expect(remote?.ok, JSON.stringify(remote?.error)).toBe(true);
    expect(remote?.signalling?.answerCandidatesCapped?.received).toBeGreaterThan(20_000);
    expect(remote?.signalling?.answer?.counts.host).toBeGreaterThan(20_000);
    expect(remote?.signalling?.answer?.candidates.length).toBeLessThanOrEqual(32);
    expect(remote?.pairs.length).toBeLessThanOrEqual(32);
    expect(run.result.stdout.length).toBeLessThan(200_000);
  });
});
