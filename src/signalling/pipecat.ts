import type { RTCIceServerLike } from "../config/types.js";
import { parseIceServerList } from "../config/ice-servers.js";
import { refusalHint, request, SignallingError, type HttpContext, type HttpResult } from "./http.js";

/** Pipecat SmallWebRTC's wire format (../shared/notes/signalling.md). */
export interface PipecatAnswer {
  sdp: string;
  pcId: string;
}

export interface PipecatStart {
  /** /sessions/{sessionId}/api/offer next to the /start URL. */
  offerUrl: string;
  iceServers: RTCIceServerLike[];
}

/** POST /start: a session id and, optionally, the ICE servers the bot wants the client to use. */
export async function pipecatStart(ctx: HttpContext, startUrl: string): Promise<PipecatStart> {
  const res = await request(ctx, "start", "POST", startUrl, {
    contentType: "application/json",
    body: JSON.stringify({ transport: "webrtc", enableDefaultIceServers: true, body: {} }),
  });
  if (res.status < 200 || res.status >= 300) {
    throw new SignallingError(`POST /start answered ${res.status}${refusalHint(res)}`, res.status === 401 || res.status === 403 ? "unauthorized" : "protocol-error", res.status);
  }
  const json = parseJson(res.body, "/start");
  const sessionId = typeof json["sessionId"] === "string" ? json["sessionId"] : undefined;
  if (!sessionId) throw new SignallingError("POST /start answered without a sessionId", "protocol-error", res.status);
  let iceServers: RTCIceServerLike[] = [];
  if (json["iceConfig"] !== undefined && json["iceConfig"] !== null) {
    try {
      iceServers = parseIceServerList(json["iceConfig"], "the /start iceConfig");
    } catch (error) {
      throw new SignallingError((error as Error).message, "protocol-error", res.status);
    }
  }
  const offerUrl = new URL(`sessions/${encodeURIComponent(sessionId)}/api/offer`, new URL(".", res.url)).toString();
  return { offerUrl, iceServers };
}

export function postPipecatOffer(ctx: HttpContext, offerUrl: string, sdp: string): Promise<HttpResult> {
  return request(ctx, "offer", "POST", offerUrl, {
    contentType: "application/json",
    body: JSON.stringify({ sdp, type: "offer", pc_id: null, restart_pc: false }),
  });
}

export function pipecatAnswerFrom(res: HttpResult): PipecatAnswer | undefined {
  if (res.status < 200 || res.status >= 300) return undefined;
  try {
    const json = JSON.parse(res.body) as Record<string, unknown>;
    if (json["type"] === "answer" && typeof json["sdp"] === "string" && typeof json["pc_id"] === "string") {
      return { sdp: json["sdp"], pcId: json["pc_id"] };
    }
  } catch {
    // not JSON: not a Pipecat answer
  }
  return undefined;
}

export async function pipecatOffer(ctx: HttpContext, offerUrl: string, sdp: string): Promise<PipecatAnswer> {
  const res = await postPipecatOffer(ctx, offerUrl, sdp);
  const answer = pipecatAnswerFrom(res);
  if (answer) return answer;
  if (res.status === 401 || res.status === 403) {
    throw new SignallingError(`the offer endpoint refused the offer with ${res.status} (token missing or wrong)`, "unauthorized", res.status);
  }
  throw new SignallingError(`the offer endpoint answered ${res.status} without a {sdp, type: "answer", pc_id} body${refusalHint(res)}`, "protocol-error", res.status);
}

/** Trickle from the client: PATCH the offer URL. An empty candidate string means end of candidates. */
export async function pipecatTrickle(
  ctx: HttpContext,
  offerUrl: string,
  pcId: string,
  candidates: readonly { candidate: string; mid: string; index: number }[],
): Promise<number> {
  const res = await request(ctx, "trickle", "PATCH", offerUrl, {
    contentType: "application/json",
    body: JSON.stringify({
      pc_id: pcId,
      candidates: candidates.map((c) => ({ candidate: c.candidate, sdp_mid: c.mid, sdp_mline_index: c.index })),
    }),
  });
  return res.status;
}

function parseJson(body: string, what: string): Record<string, unknown> {
  try {
    const value = JSON.parse(body) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw new SignallingError(`${what} did not answer with a JSON object`, "protocol-error");
}
