import { readFileSync } from "node:fs";
import type { Facts, SessionFact } from "../../src/facts/index.js";
import { sessionFromSdp } from "../../src/explain/from-sdp.js";
import { healthyFacts } from "./facts.js";

const root = new URL("../fixtures/", import.meta.url);

export function fixture(path: string): string {
  return readFileSync(new URL(path, root), "utf8");
}

/** The captured werift offer/answer that connected: a healthy session. */
export function healthySession(): SessionFact {
  const { offer, answer } = JSON.parse(fixture("sdp/werift-offer-answer.json")) as { offer: string; answer: string };
  return sessionFromSdp({ offer, answer });
}

export function withSession(session: SessionFact): Facts {
  return { ...healthyFacts(), session };
}
