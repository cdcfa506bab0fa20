import type { ValidateFunction } from "ajv/dist/2020.js";
import { compileSchema } from "../json-schema.js";

/** One ICE server, gathered on its own RTCPeerConnection so its candidates and errors are its own. */
export interface BrowserServerObservation {
  url: string;
  durationMs: number;
  timedOut: boolean;
  /** a=candidate lines as the browser's onicecandidate gave them. */
  candidates: string[];
  /** RTCPeerConnectionIceErrorEvent: errorCode (STUN code, or 701 for no answer), errorText, url. */
  errors: { errorCode: number; errorText?: string; url?: string }[];
}

export interface BrowserMappingObservation {
  durationMs: number;
  timedOut: boolean;
  /** Each candidate with the STUN URL that produced it (the icecandidate event's url). */
  candidates: { url: string; candidate: string }[];
}

export interface BrowserStatsCandidate {
  candidateType: "host" | "srflx" | "prflx" | "relay";
  protocol: "udp" | "tcp";
  /** Empty under mDNS: the browser does not show its own host address to the page. */
  address: string;
  port: number;
  relayProtocol?: "udp" | "tcp" | "tls";
}

/** One connection to serve's echo peer, over every path ("all") or relays only ("relay"). */
export interface BrowserConnectionObservation {
  policy: "all" | "relay";
  ok: boolean;
  durationMs: number;
  iceStates: { state: string; atMs: number }[];
  dtlsState?: string;
  stalledIn?: "signalling" | "gathering" | "checking" | "dtls" | "data-channel";
  error?: string;
  timeToConnectedMs?: number;
  timeToDataChannelMs?: number;
  rttMs?: number;
  echo?: { sent: number; received: number };
  offerSdp?: string;
  answerSdp?: string;
  selectedPair?: { local: BrowserStatsCandidate; remote: BrowserStatsCandidate };
}

/** What the test page sends back (schema/browser-observation.schema.json): measurements, no diagnosis. */
export interface BrowserObservation {
  kind: "rtc-doctor-browser-observation";
  version: 1;
  userAgent: string;
  startedAt: string;
  durationMs: number;
  /** The page's bound on each gathering and connection. */
  timeoutMs: number;
  servers: BrowserServerObservation[];
  /** Every STUN URL on one RTCPeerConnection (when there are two or more): the NAT's mapping behaviour. */
  mapping?: BrowserMappingObservation;
  connections: BrowserConnectionObservation[];
}

let validator: ValidateFunction | undefined;

/** The observation, or the first schema violation as "path message". */
export function checkObservation(value: unknown): { observation: BrowserObservation } | { problem: string } {
  const validate = (validator ??= compileSchema("schema/browser-observation.schema.json", { allErrors: false, strict: true }));
  if (validate(value)) return { observation: value as BrowserObservation };
  const e = validate.errors?.[0];
  return { problem: e ? `${e.instancePath || "/"} ${e.message ?? "is invalid"}` : "does not match the schema" };
}
