import type { RestartRefusal } from "../facts/restart.js";
import { bodySummary } from "./body-text.js";
import { request, SignallingError, type HttpContext, type HttpResult } from "./http.js";
import type { WhipSession } from "./whip.js";
import { readSdpFragment } from "./sdp-fragment.js";

/** What the far end said to a restart: its new ICE credentials and candidates, or why not. */
export type RestartReply =
  | { accepted: true; status: number; ufrag: string; pwd: string; candidates: string[]; end: boolean; etag?: string; answerSdp?: string; pcId?: string }
  | { accepted: false; status?: number; refusal: RestartRefusal };

function refusalOf(res: HttpResult, what: string): RestartRefusal {
  const summary = bodySummary(res.body, res.headers.get("content-type") ?? "");
  const detail = `${what} answered ${res.status}${summary ? ` (${summary})` : ""}`;
  if (res.status === 404) return { code: "session-gone", detail };
  if (res.status === 405) return { code: "method-not-allowed", detail };
  if (res.status === 501) return { code: "not-implemented", detail };
  if (res.status === 422) return { code: "unprocessable", detail };
  if (res.status === 412 || res.status === 428) return { code: "precondition", detail };
  return { code: "http-error", detail };
}

function noResponse(error: unknown, what: string): RestartReply {
  const reason = error instanceof SignallingError ? error.message : String(error);
  return { accepted: false, refusal: { code: "no-response", detail: `${what} got no answer: ${reason}` } };
}

/**
 * RFC 9725 section 4.4.2: an ICE restart is a PATCH of the session URL with `If-Match: "*"` and an
 * sdpfrag carrying the new ufrag/pwd; the endpoint answers 200 with its own new credentials and
 * candidates, and a new ETag.
 */
export async function whipRestart(ctx: HttpContext, session: WhipSession, fragment: string): Promise<RestartReply> {
  if (!session.sessionUrl) {
    return { accepted: false, refusal: { code: "no-session-url", detail: "the WHIP answer had no Location, so there is no session URL to PATCH" } };
  }
  const what = "the ICE restart PATCH";
  let res: HttpResult;
  try {
    res = await request(ctx, "restart", "PATCH", session.sessionUrl, {
      contentType: "application/trickle-ice-sdpfrag",
      body: fragment,
      headers: { "if-match": "*" },
    });
  } catch (error) {
    return noResponse(error, what);
  }
  if (res.status < 200 || res.status >= 300) return { accepted: false, status: res.status, refusal: refusalOf(res, what) };
  const read = readSdpFragment(res.body);
  if (!read.ufrag || !read.pwd) {
    // 204 is a trickle's answer: the endpoint took the fragment as candidates and restarted nothing.
    const detail = `${what} answered ${res.status} without the endpoint's new ice-ufrag and ice-pwd${res.status === 204 ? " (204: taken as a trickle, not a restart)" : ""}`;
    return { accepted: false, status: res.status, refusal: { code: "bad-answer", detail } };
  }
  const etag = res.headers.get("etag");
  return { accepted: true, status: res.status, ufrag: read.ufrag, pwd: read.pwd, candidates: read.candidates, end: read.end, ...(etag ? { etag } : {}) };
}

/**
 * Pipecat SmallWebRTC: a new offer with the session's `pc_id` and `restart_pc: true`; the server
 * closes its peer for that pc_id and answers the offer with a new one.
 */
export async function pipecatRestart(ctx: HttpContext, offerUrl: string, pcId: string, sdp: string): Promise<RestartReply> {
  const what = "the restart_pc offer";
  let res: HttpResult;
  try {
    res = await request(ctx, "restart", "POST", offerUrl, {
      contentType: "application/json",
      body: JSON.stringify({ sdp, type: "offer", pc_id: pcId, restart_pc: true }),
    });
  } catch (error) {
    return noResponse(error, what);
  }
  if (res.status < 200 || res.status >= 300) return { accepted: false, status: res.status, refusal: refusalOf(res, what) };
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  const record = json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const answerSdp = typeof record["sdp"] === "string" && record["type"] === "answer" ? record["sdp"] : undefined;
  const read = answerSdp ? readSdpFragment(answerSdp) : undefined;
  if (!answerSdp || !read?.ufrag || !read.pwd) {
    return { accepted: false, status: res.status, refusal: { code: "bad-answer", detail: `${what} answered ${res.status} without a {sdp, type: "answer"} carrying ICE credentials` } };
  }
  const newId = typeof record["pc_id"] === "string" ? record["pc_id"] : undefined;
  return { accepted: true, status: res.status, ufrag: read.ufrag, pwd: read.pwd, candidates: read.candidates, end: read.end, answerSdp, ...(newId ? { pcId: newId } : {}) };
}

/**
 * A description as it stands after an ICE restart that went by sdpfrag: the one before with the
 * new credentials and candidates in every media section (one transport under BUNDLE). The client
 * makes werift's answer so; serve makes the client's restarted offer so. `end` only when the
 * fragment said end-of-candidates: werift fails a check list that is complete and empty at once,
 * while candidates that are still to be trickled are waited for.
 */
export function withNewIceCredentials(answerSdp: string, ufrag: string, pwd: string, candidates: readonly string[], end: boolean): string {
  const out: string[] = [];
  const lines = answerSdp.split(/\r?\n/).filter((l) => l !== "");
  for (const line of lines) {
    if (line.startsWith("a=candidate:") || line === "a=end-of-candidates") continue;
    if (line.startsWith("a=ice-ufrag:")) out.push(`a=ice-ufrag:${ufrag}`);
    else if (line.startsWith("a=ice-pwd:")) out.push(`a=ice-pwd:${pwd}`);
    else out.push(line);
    if (line.startsWith("a=mid:")) {
      for (const c of candidates) out.push(`a=${c}`);
      if (end) out.push("a=end-of-candidates");
    }
  }
  return `${out.join("\r\n")}\r\n`;
}
