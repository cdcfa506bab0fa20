import type { RTCIceServerLike } from "../config/types.js";
import { refusalHint, request, SignallingError, type HttpContext, type HttpResult } from "./http.js";
import { iceServersFromLinks, linkLimitProblem } from "./link-header.js";

export interface WhipSession {
  answerSdp: string;
  /** Absolute session URL (Location), for trickle PATCH and DELETE. */
  sessionUrl?: string;
  etag?: string;
  iceServers: RTCIceServerLike[];
  /** The answer's Link headers were beyond the limits (link-header.ts), so none of their ICE servers was taken: why. */
  linkProblem?: string;
}

/**
 * RFC 9725 section 4.6: an OPTIONS request may return the ICE servers as Link headers before the
 * offer is made, so the local peer can gather through them. Servers that do not support it are fine.
 */
export async function whipPreflight(ctx: HttpContext, endpoint: string): Promise<RTCIceServerLike[]> {
  try {
    const res = await request(ctx, "start", "OPTIONS", endpoint);
    if (res.status < 200 || res.status >= 300) return [];
    const problem = linkLimitProblem(res.headers.get("link"));
    const exchange = ctx.exchanges.at(-1);
    // Optional step: the offer goes ahead without these servers, and the exchange says why.
    if (problem && exchange) exchange.error = `the ICE servers of the OPTIONS answer were not used: ${problem}`;
    return problem ? [] : iceServersFromLinks(res.headers.get("link"));
  } catch {
    return [];
  }
}

export function isWhipAnswer(res: HttpResult): boolean {
  return res.status === 201 && /application\/sdp/i.test(res.headers.get("content-type") ?? "") && res.body.trimStart().startsWith("v=0");
}

export function whipSessionFrom(res: HttpResult): WhipSession {
  const problem = linkLimitProblem(res.headers.get("link"));
  const location = res.headers.get("location");
  return {
    answerSdp: res.body,
    ...(location && sessionUrlOf(location, res.url) ? { sessionUrl: sessionUrlOf(location, res.url) as string } : {}),
    ...(res.headers.get("etag") ? { etag: res.headers.get("etag") as string } : {}),
    iceServers: problem ? [] : iceServersFromLinks(res.headers.get("link")),
    ...(problem ? { linkProblem: `the WHIP endpoint answered 201, but ${problem}` } : {}),
  };
}

function sessionUrlOf(location: string, base: string): string | undefined {
  try {
    const url = new URL(location, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function postWhipOffer(ctx: HttpContext, endpoint: string, sdp: string): Promise<HttpResult> {
  return request(ctx, "offer", "POST", endpoint, { contentType: "application/sdp", body: sdp });
}

export async function whipOffer(ctx: HttpContext, endpoint: string, sdp: string): Promise<WhipSession> {
  const res = await postWhipOffer(ctx, endpoint, sdp);
  if (!isWhipAnswer(res)) throw whipRefusal(res);
  return whipSessionFrom(res);
}

export function whipRefusal(res: HttpResult): SignallingError {
  if (res.status === 401 || res.status === 403) {
    return new SignallingError(`the WHIP endpoint refused the offer with ${res.status} (token missing or wrong)`, "unauthorized", res.status);
  }
  if (res.status === 201) return new SignallingError("the WHIP endpoint answered 201 without an application/sdp answer", "protocol-error", 201);
  return new SignallingError(`the WHIP endpoint answered ${res.status} instead of 201 Created${refusalHint(res)}`, "protocol-error", res.status);
}

/** An application/trickle-ice-sdpfrag body (RFC 8840) carrying candidates for one media section. */
export function sdpFragment(ufrag: string, pwd: string, mid: string, candidates: readonly string[], end: boolean): string {
  const lines = [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`, "m=audio 9 UDP/TLS/RTP/SAVPF 0", `a=mid:${mid}`];
  for (const c of candidates) lines.push(`a=${c.replace(/^a=/, "")}`);
  if (end) lines.push("a=end-of-candidates");
  return `${lines.join("\r\n")}\r\n`;
}

export async function whipTrickle(ctx: HttpContext, session: WhipSession, fragment: string): Promise<number> {
  if (!session.sessionUrl) throw new SignallingError("the WHIP endpoint sent no Location, so candidates cannot be trickled", "protocol-error");
  const res = await request(ctx, "trickle", "PATCH", session.sessionUrl, {
    contentType: "application/trickle-ice-sdpfrag",
    body: fragment,
    headers: { "if-match": session.etag ?? "*" },
  });
  return res.status;
}

export async function whipDelete(ctx: HttpContext, session: WhipSession): Promise<boolean> {
  if (!session.sessionUrl) return false;
  try {
    const res = await request(ctx, "delete", "DELETE", session.sessionUrl);
    return res.status >= 200 && res.status < 300;
  } catch {
    return false;
  }
}
