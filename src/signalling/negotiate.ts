import type { RTCIceServerLike } from "../config/types.js";
import { refusalHint, SignallingError, type HttpContext, type HttpResult } from "./http.js";
import { pipecatAnswerFrom, pipecatOffer, pipecatProblem, pipecatTrickle, postPipecatOffer } from "./pipecat.js";
import type { SignalProtocol } from "./types.js";
import { isWhipAnswer, postWhipOffer, whipOffer, whipRefusal, whipSessionFrom, type WhipSession } from "./whip.js";

/** The far side's answer and what is needed to talk to the session afterwards. */
export interface Negotiated {
  protocol: "whip" | "pipecat";
  answerSdp: string;
  iceServers: RTCIceServerLike[];
  detectedBy?: string;
  whip?: WhipSession;
  pipecat?: { pcId: string; trickle(candidates: { candidate: string; mid: string; index: number }[]): Promise<number> };
}

function fromWhip(session: WhipSession, detectedBy?: string): Negotiated {
  return { protocol: "whip", answerSdp: session.answerSdp, iceServers: session.iceServers, whip: session, ...(detectedBy ? { detectedBy } : {}) };
}

function fromPipecat(ctx: HttpContext, offerUrl: string, answer: { sdp: string; pcId: string }, detectedBy?: string): Negotiated {
  return {
    protocol: "pipecat",
    answerSdp: answer.sdp,
    iceServers: [],
    pipecat: { pcId: answer.pcId, trickle: (candidates) => pipecatTrickle(ctx, offerUrl, answer.pcId, candidates) },
    ...(detectedBy ? { detectedBy } : {}),
  };
}

/** Statuses with which a server says "not this kind of request", as opposed to a real refusal. */
const WRONG_KIND = new Set([400, 404, 405, 406, 415, 422]);

/** POSTs the offer in the given protocol; `auto` tries WHIP, then Pipecat's JSON, and says what decided. */
export async function sendOffer(ctx: HttpContext, protocol: SignalProtocol, url: string, sdp: string): Promise<Negotiated> {
  if (protocol === "whip") return fromWhip(await whipOffer(ctx, url, sdp));
  if (protocol === "pipecat") return fromPipecat(ctx, url, await pipecatOffer(ctx, url, sdp));
  if (/\/api\/offer\/?$/.test(new URL(url).pathname)) {
    return fromPipecat(ctx, url, await pipecatOffer(ctx, url, sdp), "the URL ends in /api/offer (Pipecat SmallWebRTC)");
  }

  const whip = await postWhipOffer(ctx, url, sdp);
  if (isWhipAnswer(whip)) return fromWhip(whipSessionFrom(whip), "POST application/sdp was answered 201 Created with an SDP answer (WHIP)");
  if (!WRONG_KIND.has(whip.status) && !isJson(whip)) throw whipRefusal(whip);

  const asJson = await postPipecatOffer(ctx, url, sdp);
  const answer = pipecatAnswerFrom(asJson);
  if (answer) return fromPipecat(ctx, url, answer, `WHIP was refused (${whip.status}); the JSON offer got a {sdp, type: "answer", pc_id} answer (Pipecat)`);
  if (asJson.status === 404 || asJson.status === 405) {
    const offerUrl = new URL("api/offer", url.endsWith("/") ? url : `${url}/`).toString();
    const retry = await postPipecatOffer(ctx, offerUrl, sdp);
    const second = pipecatAnswerFrom(retry);
    if (second) return fromPipecat(ctx, offerUrl, second, `WHIP was refused (${whip.status}); ${new URL(offerUrl).pathname} answered a JSON offer (Pipecat)`);
  }
  throw new SignallingError(
    `${url.split("?")[0]} speaks neither WHIP (POST application/sdp answered ${whip.status}${refusalHint(whip)}) nor Pipecat (the JSON offer ${pipecatProblem(asJson)})`,
    "protocol-error",
    asJson.status,
  );
}

function isJson(res: HttpResult): boolean {
  return /json/i.test(res.headers.get("content-type") ?? "");
}
