import type { SdpFact, SessionFact } from "../facts/index.js";
import { analyseSdp } from "../sdp/analyse.js";
import { ExplainInputError } from "./errors.js";

type DescriptionLike = string | { type?: unknown; sdp?: unknown };

function sdpText(value: DescriptionLike, what: string): { sdp: string; type?: SdpFact["type"] } {
  if (typeof value === "string") return { sdp: value };
  if (value && typeof value === "object" && typeof value.sdp === "string") {
    const t = value.type;
    return { sdp: value.sdp, ...(t === "offer" || t === "answer" || t === "pranswer" ? { type: t } : {}) };
  }
  throw new ExplainInputError(`${what}: expected an SDP string or {type, sdp}`);
}

function analyse(value: DescriptionLike, what: string, fallbackType?: SdpFact["type"]): SdpFact {
  const { sdp, type } = sdpText(value, what);
  try {
    return analyseSdp(sdp, type ?? fallbackType);
  } catch (error) {
    throw new ExplainInputError(`${what}: ${(error as Error).message.replace(/^SDP: /, "")}`);
  }
}

/**
 * A lone description is taken as the far side's: it is what a user pastes when a call to a server
 * or bot stalls. With both, the offer is ours (browsers and rtc-doctor offer to servers, WHIP and
 * Pipecat alike) and the answer the far side's; {local, remote} says so explicitly.
 */
export function sessionFromSdp(input: { single?: DescriptionLike; offer?: DescriptionLike; answer?: DescriptionLike; local?: DescriptionLike; remote?: DescriptionLike }): SessionFact {
  const session: SessionFact = { source: "sdp" };
  if (input.single !== undefined) session.remote = analyse(input.single, "SDP");
  if (input.offer !== undefined) session.local = analyse(input.offer, "offer", "offer");
  if (input.answer !== undefined) session.remote = analyse(input.answer, "answer", "answer");
  if (input.local !== undefined) session.local = analyse(input.local, "local");
  if (input.remote !== undefined) session.remote = analyse(input.remote, "remote");
  return session;
}
