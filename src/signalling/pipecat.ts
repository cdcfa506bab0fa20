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
  const read = readAnswer(res);
  return "answer" in read ? read.answer : undefined;
}

/** What keeps a 2xx body from being a Pipecat answer, in words that quote none of it. */
function readAnswer(res: HttpResult): { answer: PipecatAnswer } | { problem: string } {
  if (res.status < 200 || res.status >= 300) return { problem: `answered ${res.status}` };
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    return { problem: res.body.trim() === "" ? `answered ${res.status} with an empty body` : `answered ${res.status} with a body that is not JSON` };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) return { problem: `answered ${res.status} with JSON that is not an object` };
  const record = json as Record<string, unknown>;
  if (typeof record["sdp"] !== "string") return { problem: `answered ${res.status} with JSON without an "sdp" string` };
  if (record["type"] !== "answer") return { problem: `answered ${res.status} with JSON whose "type" is not "answer"` };
  if (typeof record["pc_id"] !== "string") return { problem: `answered ${res.status} with JSON without a "pc_id" string` };
  return { answer: { sdp: record["sdp"], pcId: record["pc_id"] } };
}

export async function pipecatOffer(ctx: HttpContext, offerUrl: string, sdp: string): Promise<PipecatAnswer> {
  const res = await postPipecatOffer(ctx, offerUrl, sdp);
  const answer = pipecatAnswerFrom(res);
  if (answer) return answer;
  if (res.status === 401 || res.status === 403) {
    throw new SignallingError(`the offer endpoint refused the offer with ${res.status} (token missing or wrong)`, "unauthorized", res.status);
  }
  const read = readAnswer(res);
  const problem = "problem" in read ? read.problem : `answered ${res.status}`;
  // A 2xx whose body is not an answer is described by its shape; only refusals quote the server's reason.
  const hint = res.status >= 200 && res.status < 300 ? "" : refusalHint(res);
  throw new SignallingError(`the offer endpoint ${problem}, not a {sdp, type: "answer", pc_id} answer${hint}`, "protocol-error", res.status);
}

/** Why a JSON offer's response is no Pipecat answer (for the auto-detection's message). */
export function pipecatProblem(res: HttpResult): string {
  const read = readAnswer(res);
  return "problem" in read ? read.problem : `answered ${res.status}`;
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
