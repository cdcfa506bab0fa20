import { parseJsonInput } from "../config/json-input.js";
import { MAX_EXPLAIN_INPUT_BYTES } from "../config/limits.js";
import { performance } from "node:perf_hooks";
import { DEFAULT_TIMEOUT_MS } from "../config/defaults.js";
import type { Facts, SessionFact } from "../facts/index.js";
import { buildReport } from "../report/build.js";
import type { Report } from "../report/types.js";
import type { DumpConnectionSummary, ExplainInputKind, PeerConnectionChoice } from "../report/explain-marker.js";
import type { Rule } from "../rules/index.js";
import { diagnose, type FailOn } from "../diagnose/index.js";
import type { OptionNamer } from "../config/option-words.js";
import { ExplainInputError } from "./errors.js";
import { pickSession, sessionsFromDump, type DumpSession } from "./from-dump.js";
import { sessionFromSdp } from "./from-sdp.js";
import { reportSchemaError } from "./report-schema.js";
import { decodeExplainInput } from "./input.js";

export type { ExplainInputKind, DumpConnectionSummary, PeerConnectionChoice, ExplainMarker } from "../report/explain-marker.js";

export interface ExplainOptions {
  failOn?: FailOn;
  /** webrtc-internals: the peer connection id to diagnose (default: the last with a remote description that never connected, else the last with one). */
  peerConnection?: string;
  rules?: readonly Rule[];
  now?: Date;
  /** How diagnosis text names an option (default: its API name; the CLI gives its flags). */
  optionName?: OptionNamer;
}

export interface ExplainResult {
  kind: ExplainInputKind;
  report: Report;
}

function summary(s: DumpSession): DumpConnectionSummary {
  const last = s.session.iceStates?.[s.session.iceStates.length - 1];
  return {
    id: s.id,
    ...(s.url ? { url: s.url } : {}),
    remoteDescription: s.session.remote !== undefined,
    connected: s.connected,
    ...(last ? { lastIceState: last } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Facts with nothing probed: servers were not contacted, so only the session speaks. */
function factsFor(session: SessionFact, iceServerUrls: string[] = []): Facts {
  const turn = iceServerUrls.filter((u) => /^turns?:/i.test(u)).length;
  return {
    config: { usedDefaultServers: false, timeoutMs: DEFAULT_TIMEOUT_MS, stunCount: iceServerUrls.length - turn, turnCount: turn },
    servers: [],
    gathering: [],
    candidates: [],
    session,
  };
}

function parseJson(text: string): unknown {
  return parseJsonInput(text, (why) =>
    why.startsWith("not valid JSON")
      ? new ExplainInputError(`input is neither an SDP (starting with v=0) nor valid JSON (${why.replace(/^not valid JSON: /, "")})`)
      : new ExplainInputError(`input is ${why}`),
  );
}

/**
 * What the input is, decided by its shape, and the facts it carries. Bytes may be gzip-compressed
 * (a Chrome dump as downloaded); text is taken as it is.
 */
export function factsFromInput(input: string | Uint8Array, options: ExplainOptions = {}): { kind: ExplainInputKind; facts: Facts; peerConnection?: PeerConnectionChoice } {
  const text = typeof input === "string" ? input : decodeExplainInput(input);
  if (text.length > MAX_EXPLAIN_INPUT_BYTES) throw new ExplainInputError(`input of ${text.length} characters; at most ${MAX_EXPLAIN_INPUT_BYTES} are read`);
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") throw new ExplainInputError("input is empty: give an SDP, a webrtc-internals dump or an rtc-doctor JSON report");
  if (trimmed.startsWith("v=")) return { kind: "sdp", facts: factsFor(sessionFromSdp({ single: trimmed })) };
  const value = parseJson(trimmed);
  if (!isObject(value)) throw new ExplainInputError("JSON input must be an object: {type, sdp}, {offer, answer}, a webrtc-internals dump or an rtc-doctor report");

  if ("PeerConnections" in value) {
    const sessions = sessionsFromDump(value);
    const { picked, reason } = pickSession(sessions, options.peerConnection);
    const peerConnection: PeerConnectionChoice = { ...summary(picked), reason, others: sessions.filter((s) => s !== picked).map(summary) };
    return { kind: "webrtc-internals", facts: factsFor(picked.session, picked.iceServerUrls), peerConnection };
  }
  if ("schemaVersion" in value && isObject(value["tool"]) && value["tool"]["name"] === "rtc-doctor") {
    const problem = reportSchemaError(value);
    if (problem) throw new ExplainInputError(`rtc-doctor report does not match schema/report.schema.json: ${problem}`);
    // The report's own findings and summary are dropped: the rules of this version judge the facts again.
    const { schemaVersion: _v, tool: _t, startedAt: _s, durationMs: _d, summary: _u, findings: _f, verdict: _r, explain: _e, ...facts } = value as unknown as Report;
    return { kind: "report", facts: facts as Facts };
  }
  if ("offer" in value || "answer" in value || "local" in value || "remote" in value) {
    return { kind: "sdp-json", facts: factsFor(sessionFromSdp(value as Parameters<typeof sessionFromSdp>[0])) };
  }
  if (typeof value["sdp"] === "string") return { kind: "sdp-json", facts: factsFor(sessionFromSdp({ single: value as { sdp: string } })) };
  throw new ExplainInputError("unrecognised JSON: expected {type, sdp}, {offer, answer}, a webrtc-internals dump (PeerConnections) or an rtc-doctor report");
}

/** Diagnoses a capture with no network at all: the same rules and report as `check`. */
export function explain(input: string | Uint8Array, options: ExplainOptions = {}): ExplainResult {
  const startedAt = options.now ?? new Date();
  const t0 = performance.now();
  const { kind, facts, peerConnection } = factsFromInput(input, options);
  const diagnosis = diagnose(facts, { rules: options.rules, failOn: options.failOn, optionName: options.optionName });
  const report = buildReport(facts, diagnosis, { startedAt, durationMs: performance.now() - t0 });
  return { kind, report: { ...report, explain: { input: kind, ...(peerConnection ? { peerConnection } : {}) } } };
}
