import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { normaliseIceServer } from "../config/ice-servers.js";
import type { RTCIceServerInput, RTCIceServerLike } from "../config/types.js";
import { applyCors, type AllowedOrigins } from "./cors.js";
import { pageAsset } from "./page-assets.js";
import { ReportInputError, ReportStore, reportSummaryLine } from "./reports.js";
import { EchoSession, type SessionConfig } from "./session.js";
import { candidatesFromFragment, readSdpFragment } from "../signalling/sdp-fragment.js";
import { startStunResponder, type StunResponder, type StunResponderOptions } from "./stun-responder.js";

export interface ServeOptions extends Partial<Omit<SessionConfig, "iceServers">> {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** ICE servers of the far end's own peers. */
  iceServers?: readonly RTCIceServerInput[];
  /** Also hand them to clients (WHIP Link headers, Pipecat /start iceConfig). Off by default: they may hold credentials. */
  shareIceServers?: boolean;
  /** The STUN responder; omitted or false runs none. */
  stun?: Omit<StunResponderOptions, "host"> & { host?: string };
  maxSessions?: number;
  /** Every request but GET / must carry `Authorization: Bearer <token>` (401 otherwise). */
  token?: string;
  /** Page origins allowed to call serve from a browser (CORS); "*" for any. The test page at / needs none. */
  allowOrigins?: AllowedOrigins;
  /** Reports posted by the test page: the folder they are kept in, and whether addresses are redacted. */
  reports?: { dir?: string; redact?: boolean };
  log?(line: string): void;
}

export interface RunningServe {
  /** http://host:port of the signalling server. */
  url: string;
  port: number;
  stun?: StunResponder;
  sessionCount(): number;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;
// A page's report carries its offers and answers: two 64 KiB SDPs per connection at most (schema).
const MAX_REPORT_BODY = 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `rtc-doctor serve`: the far end anyone can run on their server host. WHIP at /whip, Pipecat
 * SmallWebRTC at /api/offer (and /start + /sessions/{id}/api/offer); each offer gets its own
 * werift peer that echoes on the data channel, and is cleaned up when it ends or goes stale.
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const config: SessionConfig = {
    iceServers: (options.iceServers ?? []).map(normaliseIceServer),
    tlsCa: options.tlsCa,
    gatherTimeoutMs: options.gatherTimeoutMs ?? 5000,
    connectTimeoutMs: options.connectTimeoutMs ?? 60_000,
    maxLifetimeMs: options.maxLifetimeMs ?? 10 * 60_000,
  };
  const log = options.log ?? (() => {});
  const maxSessions = options.maxSessions ?? 100;
  const sessions = new Map<string, EchoSession>();
  // Pipecat sessions from /start, which only hold the place until the offer arrives.
  const started = new Set<string>();

  const onEvent = (session: EchoSession, event: "connected" | "closed") => {
    // A Pipecat restart_pc replaces a session under the same id: only the one in the map leaves it.
    if (event === "closed" && sessions.get(session.id) === session) sessions.delete(session.id);
    log(`session ${session.id} ${event} (${sessions.size} open)`);
  };

  const newSession = async (offerSdp: string, id?: string) => {
    if (sessions.size >= maxSessions && (id === undefined || !sessions.has(id))) throw new HttpError(503, `too many open sessions (${maxSessions})`);
    let result;
    try {
      result = await EchoSession.answer(offerSdp, config, onEvent, id);
    } catch (error) {
      throw new HttpError(400, `cannot answer this offer: ${error instanceof Error ? error.message : String(error)}`);
    }
    sessions.set(result.session.id, result.session);
    log(`session ${result.session.id} answered (${sessions.size} open)`);
    return result;
  };

  const shared = options.shareIceServers ? config.iceServers : [];
  const secrets = [
    ...config.iceServers.flatMap((s) => [s.username, typeof s.credential === "string" ? s.credential : undefined]).filter((x): x is string => typeof x === "string" && x.length > 0),
    ...(options.token ? [options.token] : []),
  ];
  const reports = new ReportStore({ ...options.reports, secrets });
  let stunPort: number | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://serve.invalid");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (applyCors(req, res, options.allowOrigins ?? [])) return;
    if (path === "/" && method === "GET") {
      // A browser gets the test page; curl and scripts get the plain usage they always got.
      if (/text\/html/i.test(req.headers.accept ?? "")) return asset(res, "index.html");
      return text(res, 200, usage());
    }
    if (path === "/page/app.js" && method === "GET") return asset(res, "app.js");
    if (options.token !== undefined && !authorized(req.headers.authorization, options.token)) {
      // OPTIONS too: its Link headers may carry the shared ICE servers' credentials.
      res.setHeader("WWW-Authenticate", 'Bearer realm="rtc-doctor serve"');
      throw new HttpError(401, "this server needs Authorization: Bearer <token> (rtc-doctor check --token)");
    }

    if (path === "/whip") {
      if (method === "OPTIONS") {
        res.setHeader("Accept-Post", "application/sdp");
        setLinks(res, shared);
        res.writeHead(204).end();
        return;
      }
      if (method !== "POST") return methodNotAllowed(res, "POST, OPTIONS");
      if (!/application\/sdp/i.test(req.headers["content-type"] ?? "")) throw new HttpError(415, "WHIP offers are Content-Type: application/sdp");
      const { session, answerSdp } = await newSession(await body(req));
      setLinks(res, shared);
      res.writeHead(201, { "Content-Type": "application/sdp", Location: `/whip/sessions/${session.id}`, ETag: session.etag });
      res.end(answerSdp);
      return;
    }

    const whipSession = /^\/whip\/sessions\/([0-9a-f]+)$/.exec(path);
    if (whipSession) {
      const session = sessions.get(whipSession[1] ?? "");
      if (!session) throw new HttpError(404, "no such session");
      if (method === "DELETE") {
        await session.close();
        res.writeHead(200).end();
        return;
      }
      if (method !== "PATCH") return methodNotAllowed(res, "PATCH, DELETE");
      if (!/application\/trickle-ice-sdpfrag/i.test(req.headers["content-type"] ?? "")) throw new HttpError(415, "trickle needs application/trickle-ice-sdpfrag");
      const ifMatch = req.headers["if-match"];
      if (ifMatch === undefined) throw new HttpError(428, "If-Match is required");
      if (ifMatch !== "*" && ifMatch !== session.etag) throw new HttpError(412, "stale ETag");
      const fragment = await body(req);
      const frag = readSdpFragment(fragment);
      // RFC 9725 section 4.4.2: If-Match "*" with a new ufrag/pwd is an ICE restart, answered with ours.
      if (ifMatch === "*" && frag.ufrag && frag.pwd && frag.ufrag !== session.remoteUfrag) {
        let restarted;
        try {
          restarted = await session.restartIce(frag, config.gatherTimeoutMs);
        } catch (error) {
          throw new HttpError(422, `cannot restart ICE: ${error instanceof Error ? error.message : String(error)}`);
        }
        log(`session ${session.id} ICE restart`);
        const lines = [`a=ice-ufrag:${restarted.ufrag}`, `a=ice-pwd:${restarted.pwd}`, ...restarted.candidates.map((c) => `a=${c}`), "a=end-of-candidates"];
        res.writeHead(200, { "Content-Type": "application/trickle-ice-sdpfrag", ETag: restarted.etag }).end(`${lines.join("\r\n")}\r\n`);
        return;
      }
      await session.addCandidates(candidatesFromFragment(fragment));
      res.writeHead(204).end();
      return;
    }

    if (path === "/page/config" && method === "GET") {
      // The ICE servers the page gathers with: those serve hands out (credentials included, as a
      // browser must have them to use a TURN server), and serve's own STUN responder.
      return json(res, 200, { iceServers: shared, ...(stunPort !== undefined ? { stunPort } : {}), offerPath: "/api/offer", reportPath: "/reports" });
    }

    if (path === "/reports" && method === "POST") {
      let answer;
      try {
        answer = await reports.add(parseJson(await body(req, MAX_REPORT_BODY)), `${requestOrigin(req)}/api/offer`);
      } catch (error) {
        if (error instanceof ReportInputError) throw new HttpError(400, error.message);
        throw error;
      }
      log(reportSummaryLine(answer.id, answer.report));
      return json(res, 201, { id: answer.id, summary: answer.report.summary, verdict: answer.report.verdict, findings: answer.report.findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title, explanation: f.explanation, fix: f.fix })) });
    }
    const storedReport = /^\/reports\/([0-9a-z]+)$/.exec(path);
    if (storedReport && method === "GET") {
      const stored = await reports.get(storedReport[1] ?? "");
      if (stored === undefined) throw new HttpError(404, "no such report");
      res.writeHead(200, { "Content-Type": "application/json" }).end(stored);
      return;
    }

    if (path === "/start" && method === "POST") {
      await body(req);
      const sessionId = randomBytes(8).toString("hex");
      started.add(sessionId);
      // A /start holds nothing but its id until the offer comes; clients that never send one must
      // not grow the set without bound: the oldest places go first.
      for (const oldest of started) {
        if (started.size <= maxSessions) break;
        started.delete(oldest);
      }
      return json(res, 200, { sessionId, iceConfig: { iceServers: shared } });
    }

    const pipecat = /^(?:\/sessions\/([0-9a-f]+))?\/api\/offer$/.exec(path);
    if (pipecat) {
      const known = pipecat[1] === undefined || started.has(pipecat[1]);
      // The first offer uses the /start place up; the session's trickle PATCHes (by pc_id) still come there.
      if (!known && method !== "POST" && method !== "PATCH") throw new HttpError(404, "no such session");
      // A place that does not exist stays a 404 whatever was sent to it; only a restart_pc or a trickle by pc_id may name one that moved.
      const readRequest = async () => {
        try {
          return parseJson(await body(req));
        } catch (error) {
          if (!known) throw new HttpError(404, "no such session");
          throw error;
        }
      };
      if (method === "POST") {
        const request = await readRequest();
        if (typeof request["sdp"] !== "string" || request["type"] !== "offer") throw new HttpError(known ? 400 : 404, known ? 'expected {"sdp": "...", "type": "offer"}' : "no such session");
        // Pipecat's restart_pc: the peer of that pc_id is closed and the offer answered by a new one
        // (also under /sessions/{id}/, whose place the first offer used up).
        const previous = request["restart_pc"] === true && typeof request["pc_id"] === "string" ? sessions.get(request["pc_id"]) : undefined;
        if (!known && !previous) throw new HttpError(404, "no such session");
        if (previous) {
          await previous.close();
          log(`session ${previous.id} restart_pc: a new peer`);
        }
        const { session, answerSdp } = await newSession(request["sdp"], previous?.id);
        if (pipecat[1] !== undefined) started.delete(pipecat[1]);
        return json(res, 200, { sdp: answerSdp, type: "answer", pc_id: session.id });
      }
      if (method === "PATCH") {
        const request = await readRequest();
        const session = sessions.get(String(request["pc_id"] ?? ""));
        if (!session) throw new HttpError(404, known ? "unknown pc_id" : "no such session");
        const list = Array.isArray(request["candidates"]) ? (request["candidates"] as Record<string, unknown>[]) : [];
        await session.addCandidates(
          list.map((c) => ({
            candidate: String(c["candidate"] ?? ""),
            sdpMid: typeof c["sdp_mid"] === "string" ? c["sdp_mid"] : undefined,
            sdpMLineIndex: typeof c["sdp_mline_index"] === "number" ? c["sdp_mline_index"] : undefined,
          })),
        );
        return json(res, 200, { status: "success" });
      }
      return methodNotAllowed(res, "POST, PATCH");
    }
    throw new HttpError(404, `nothing at ${path}; see GET /`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 500) log(`error: ${message}`);
      if (!res.headersSent) text(res, status, `${message}\n`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  let stun: StunResponder | undefined;
  try {
    if (options.stun) stun = await startStunResponder({ ...options.stun, host: options.stun.host ?? options.host });
    stunPort = stun?.address.port;
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    ...(stun ? { stun } : {}),
    sessionCount: () => sessions.size,
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stun?.close();
    },
  };
}

/** Constant-time: the comparison must not tell a client how much of a guessed token was right. */
function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!m) return false;
  const given = createHash("sha256").update((m[1] as string).trim()).digest();
  return timingSafeEqual(given, createHash("sha256").update(token).digest());
}

function usage(): string {
  return [
    "rtc-doctor serve: the far end for `rtc-doctor check --signal URL`",
    "  WHIP:     POST /whip (application/sdp), PATCH/DELETE /whip/sessions/{id} (PATCH with If-Match: * and a new ufrag/pwd: ICE restart)",
    "  Pipecat:  POST/PATCH /api/offer, POST /start then /sessions/{id}/api/offer (restart_pc: true with a pc_id: a new peer for it)",
    "Every session's peer echoes what it receives on the data channel.",
    "  Test page: open / in a browser; it posts its report to POST /reports, read back at GET /reports/{id}",
    "",
  ].join("\n");
}

/** RFC 9725 Link headers; credentials are only ever sent when the operator chose --share-ice-servers. */
function setLinks(res: ServerResponse, servers: readonly RTCIceServerLike[]): void {
  const links = servers.flatMap((s) =>
    s.urls.map((u) => {
      const creds = s.username !== undefined ? `; username="${s.username}"; credential="${s.credential ?? ""}"; credential-type="password"` : "";
      return `<${u}>; rel="ice-server"${creds}`;
    }),
  );
  if (links.length) res.setHeader("Link", links);
}

function body(req: IncomingMessage, max = MAX_BODY): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new HttpError(413, "request body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw new HttpError(400, "expected a JSON object");
}

/** Where the visitor reached serve, as its own requests name it (for the report's signalling URL). */
function requestOrigin(req: IncomingMessage): string {
  const host = (req.headers.host ?? "serve").replace(/[^\w.:[\]-]/g, "").slice(0, 200);
  return `http://${host}`;
}

function asset(res: ServerResponse, name: "index.html" | "app.js"): void {
  const page = pageAsset(name);
  res.writeHead(200, { "Content-Type": page.type, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" }).end(page.body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(value));
}

function text(res: ServerResponse, status: number, value: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(value);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { Allow: allow, "Content-Type": "text/plain" }).end("method not allowed\n");
}
