import type { DtlsFact, MediaFact } from "../facts/index.js";

/** One line on the DTLS handshake, the same words in every format. */
export function dtlsLine(d: DtlsFact): string {
  const parts = [`DTLS ${d.state}`];
  if (d.role) parts.push(`rtc-doctor the ${d.role}`);
  if (d.handshakeMs !== undefined) parts.push(`handshake ${d.handshakeMs} ms`);
  if (d.srtpProfile) parts.push(d.srtpProfile);
  if (d.fingerprintVerified === true) parts.push("fingerprint verified");
  if (d.fingerprintVerified === false) parts.push(`fingerprint MISMATCH (answer ${d.expectedFingerprint ?? "?"}, certificate ${d.certificateFingerprint ?? "?"})`);
  if (d.state !== "connected") parts.push(`${d.datagramsSent} datagrams sent, ${d.datagramsReceived} received`);
  return parts.join(", ");
}

/** Audio each way, in one line per direction. */
export function mediaLines(m: MediaFact): string[] {
  const r = m.farSideReports;
  const out = [`audio ${m.codec ?? "opus"} ${m.offeredDirection}${m.answeredDirection ? ` (far side ${m.answeredDirection})` : ""}, sent ${(m.durationMs / 1000).toFixed(1)} s`];
  const reach = r.count > 0 ? `far side received ${r.packetsReceived ?? 0}` : "no receiver report from the far side";
  const quality = [
    r.packetsLost !== undefined ? `lost ${r.packetsLost}` : "",
    r.jitterMs !== undefined ? `jitter ${r.jitterMs} ms` : "",
    r.rttMs !== undefined ? `RTT ${r.rttMs} ms` : "",
  ].filter(Boolean);
  out.push(`  -> to the far side: ${m.sent.packets} packets sent, ${reach}${quality.length ? ` (${quality.join(", ")})` : ""}`);
  const got = m.received;
  const back = got.packets > 0 ? `${got.packets} packets received${got.lost ? `, ${got.lost} lost` : ""}${got.jitterMs !== undefined ? `, jitter ${got.jitterMs} ms` : ""}` : "nothing received";
  out.push(`  <- from the far side: ${m.offeredDirection === "sendrecv" ? back : "not asked for (sendonly)"}`);
  return out;
}
