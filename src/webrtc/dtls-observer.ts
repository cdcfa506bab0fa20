import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { DtlsFact } from "../facts/media.js";
import type { PeerConnection } from "./types.js";

/** werift's RTCDtlsTransport as far as this reads it; not exported API, read defensively. */
interface Subscribable<T> {
  subscribe(listener: (value: T) => void): { unSubscribe(): void };
}
interface WeriftDtlsTransport {
  state?: string;
  role?: string;
  onStateChange?: Subscribable<string>;
  remoteParameters?: { fingerprints?: { algorithm: string; value: string }[] };
  dtls?: { remoteCertificate?: Buffer; srtp?: { srtpProfile?: number } };
  iceTransport?: { connection?: { onData?: Subscribable<Buffer>; send?: (data: Buffer) => Promise<void> } };
}

/** RFC 5764 4.1.2 and RFC 7714 14.2 names of the profiles werift offers. */
const SRTP_PROFILES: Record<number, string> = { 0x0001: "SRTP_AES128_CM_HMAC_SHA1_80", 0x0007: "SRTP_AEAD_AES_128_GCM" };

/** RFC 7983: the first byte of a DTLS record is 20..63 (STUN 0..3, SRTP/SRTCP 128..191). */
const isDtls = (data: Buffer) => data.length > 0 && data[0]! >= 20 && data[0]! <= 63;

const HASHES: Record<string, string> = { "sha-1": "sha1", "sha-224": "sha224", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512" };

function fingerprintOf(der: Buffer, algorithm: string): string | undefined {
  const hash = HASHES[algorithm.toLowerCase()];
  if (!hash) return undefined;
  return createHash(hash).update(der).digest("hex").toUpperCase().match(/../g)?.join(":");
}

export interface DtlsObserver {
  fact(): DtlsFact;
  stop(): void;
}

/**
 * Watches a peer's (bundled) DTLS transport from before the handshake: when it started and finished,
 * the datagrams each way, and, when it failed, whether the far side's certificate matched the
 * fingerprint its answer announced. werift logs a mismatch only under DEBUG and leaves the
 * transport "failed", the same state any other DTLS failure gives, so the comparison is made
 * again here from the certificate the handshake delivered. Call once the transports exist.
 */
export function observeDtls(pc: PeerConnection, startedAt: number): DtlsObserver {
  const transport = ((pc as unknown as { dtlsTransports?: WeriftDtlsTransport[] }).dtlsTransports ?? [])[0];
  const elapsed = () => Math.round(performance.now() - startedAt);
  let sent = 0;
  let received = 0;
  let startedAtMs: number | undefined;
  let connectedAtMs: number | undefined;
  const stops: (() => void)[] = [];
  const connection = transport?.iceTransport?.connection;
  if (transport?.onStateChange) {
    const sub = transport.onStateChange.subscribe((state) => {
      if (state === "connecting") startedAtMs ??= elapsed();
      if (state === "connected") connectedAtMs ??= elapsed();
    });
    stops.push(() => sub.unSubscribe());
  }
  if (connection?.onData) {
    const sub = connection.onData.subscribe((data) => {
      if (isDtls(data)) received += 1;
    });
    stops.push(() => sub.unSubscribe());
  }
  const send = connection?.send;
  if (connection && typeof send === "function") {
    connection.send = function (this: unknown, data: Buffer) {
      if (isDtls(data)) sent += 1;
      return send.call(this, data);
    };
    stops.push(() => {
      if (connection.send !== send) connection.send = send;
    });
  }
  return {
    fact() {
      const state = transport?.state ?? "new";
      const fact: DtlsFact = { state, datagramsSent: sent, datagramsReceived: received };
      if (transport?.role === "client" || transport?.role === "server") fact.role = transport.role;
      const profile = transport?.dtls?.srtp?.srtpProfile;
      if (profile !== undefined && SRTP_PROFILES[profile]) fact.srtpProfile = SRTP_PROFILES[profile];
      if (startedAtMs !== undefined) fact.startedAtMs = startedAtMs;
      if (startedAtMs !== undefined && connectedAtMs !== undefined) fact.handshakeMs = connectedAtMs - startedAtMs;
      const certificate = transport?.dtls?.remoteCertificate;
      const expected = transport?.remoteParameters?.fingerprints ?? [];
      if (state === "connected") fact.fingerprintVerified = true;
      else if (certificate && expected.length > 0) {
        const actual = expected.map((e) => ({ e, value: fingerprintOf(certificate, e.algorithm) })).filter((x) => x.value !== undefined);
        const matched = actual.some((x) => x.value === x.e.value.toUpperCase());
        fact.fingerprintVerified = matched;
        const first = actual[0];
        if (!matched && first) {
          fact.expectedFingerprint = `${first.e.algorithm} ${first.e.value.toUpperCase()}`;
          fact.certificateFingerprint = `${first.e.algorithm} ${first.value}`;
        }
      }
      return fact;
    },
    stop() {
      for (const s of stops.splice(0)) s();
    },
  };
}
