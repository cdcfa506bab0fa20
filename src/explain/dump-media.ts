import type { MediaFact, SdpFact } from "../facts/index.js";
import { lastSamples } from "./dump-stats.js";
import { isObject } from "./dump-values.js";

type StatsObject = Record<string, unknown>;

/** Milliseconds between the first and the last sample of one series ("<stats id>-<field>"). */
function spanMs(stats: unknown, key: string): number {
  const series = isObject(stats) ? stats[key] : undefined;
  if (!isObject(series)) return 0;
  const span = timeOf(series["endTime"]) - timeOf(series["startTime"]);
  return Number.isFinite(span) && span > 0 ? span : 0;
}

function timeOf(value: unknown): number {
  if (typeof value === "number") return value;
  return typeof value === "string" ? Date.parse(value) : NaN;
}

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0);
const optional = (value: unknown, scale = 1): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? Math.round(value * scale * 100) / 100 : undefined;

function audioDirection(sdp: SdpFact | undefined): MediaFact["offeredDirection"] | undefined {
  return sdp?.media.find((m) => m.kind === "audio")?.direction;
}

/**
 * The audio of one connection of a dump, as its getStats() series show it, in the shape of the
 * remote attempt's MediaFact: outbound-rtp is what the browser sent, remote-inbound-rtp what the far
 * side's RTCP receiver reports said of it (Chrome counts them in roundTripTimeMeasurements and keeps
 * no packetsReceived: it is packetsSent less packetsLost at the last report), inbound-rtp what came
 * back. `offeredDirection` is the browser's own audio m-line, `answeredDirection` the far side's,
 * whichever of the two offered. Undefined when the browser sent no audio stream.
 */
export function mediaFromStats(stats: unknown, local: SdpFact | undefined, remote: SdpFact | undefined): MediaFact | undefined {
  const samples = lastSamples(stats);
  const objects = [...samples].filter(([, o]) => o["kind"] === "audio" || o["mediaType"] === "audio");
  const ofType = (type: string) => objects.filter(([, o]) => o["statsType"] === type);
  const outbound = ofType("outbound-rtp");
  const ours = audioDirection(local);
  if (outbound.length === 0 || !ours) return undefined;
  const reports = ofType("remote-inbound-rtp");
  const inbound = ofType("inbound-rtp");
  const sum = (list: [string, StatsObject][], field: string) => list.reduce((n, [, o]) => n + count(o[field]), 0);
  const sentPackets = sum(outbound, "packetsSent");
  const report = reports[0]?.[1];
  const measurements = sum(reports, "roundTripTimeMeasurements");
  const lost = report ? count(report["packetsLost"]) : undefined;
  const media: MediaFact = {
    kind: "audio",
    offeredDirection: ours,
    durationMs: Math.round(Math.max(...outbound.map(([id]) => spanMs(stats, `${id}-packetsSent`)))),
    sent: { packets: sentPackets, bytes: sum(outbound, "bytesSent") },
    rtcpReceived: measurements,
    farSideReports: report
      ? {
          count: Math.max(1, measurements),
          packetsReceived: Math.max(0, sentPackets - (lost ?? 0)),
          ...(lost !== undefined ? { packetsLost: lost } : {}),
          ...withValue("fractionLostPct", optional(report["fractionLost"], 100)),
          ...withValue("jitterMs", optional(report["jitter"], 1000)),
          ...withValue("rttMs", optional(report["roundTripTime"], 1000)),
        }
      : { count: 0 },
    received: {
      packets: sum(inbound, "packetsReceived"),
      bytes: sum(inbound, "bytesReceived"),
      ssrcs: inbound.length,
      ...(inbound.length > 0 ? { lost: sum(inbound, "packetsLost") } : {}),
      ...withValue("jitterMs", optional(inbound[0]?.[1]["jitter"], 1000)),
    },
  };
  const codec = samples.get(String(outbound[0]?.[1]["codecId"] ?? ""));
  const mime = typeof codec?.["mimeType"] === "string" ? codec["mimeType"].replace(/^audio\//i, "").toLowerCase() : undefined;
  if (mime) media.codec = [mime, codec?.["clockRate"], codec?.["channels"]].filter((v) => v !== undefined).join("/");
  const theirs = audioDirection(remote);
  if (theirs) media.answeredDirection = theirs;
  return media;
}

function withValue<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
