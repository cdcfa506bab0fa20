import { checkServerIdentity, type PeerCertificate } from "node:tls";
import type { ProbeError } from "../facts/common.js";
import type { TlsFact } from "../facts/servers.js";
import type { TlsHandshake } from "../stun/stream-channel.js";
import { probeError } from "../facts/probe-error.js";

const DAY_MS = 86_400_000;

/**
 * What a browser would conclude about the server's certificate, from a handshake that accepted it
 * whatever it was (stream-channel does not reject, so the details survive a bad certificate).
 */
export function tlsFactFrom(handshake: TlsHandshake, host: string, now: Date = new Date()): TlsFact {
  const cert = handshake.certificate;
  const fact: TlsFact = {
    servername: host,
    protocol: handshake.protocol,
    chainVerified: handshake.authorized,
    hostnameMatches: false,
    verifyError: handshake.authorized ? undefined : handshake.authorizationError ?? "UNKNOWN",
  };
  if (!cert || Object.keys(cert).length === 0) return fact;

  fact.subject = nameOf(cert.subject);
  fact.issuer = nameOf(cert.issuer);
  if (cert.subjectaltname) fact.subjectAltNames = cert.subjectaltname.split(/,\s*/).filter(Boolean);
  const validFrom = isoDate(cert.valid_from);
  const validTo = isoDate(cert.valid_to);
  if (validFrom) fact.validFrom = validFrom;
  if (validTo) {
    fact.validTo = validTo;
    fact.daysRemaining = Math.floor((Date.parse(validTo) - now.getTime()) / DAY_MS);
  }
  // checkServerIdentity matches IP literals against IP SANs and names against DNS SANs, like browsers.
  fact.hostnameMatches = checkServerIdentity(host, cert) === undefined;
  fact.selfSigned = sameName(cert.subject, cert.issuer) || handshake.authorizationError === "DEPTH_ZERO_SELF_SIGNED_CERT";
  return fact;
}

type Name = PeerCertificate["subject"];

/** The CN when there is one (what people recognise), else the whole distinguished name. */
function nameOf(name: Name | undefined): string | undefined {
  if (!name) return undefined;
  const cn = name.CN as string | string[] | undefined;
  if (cn) return Array.isArray(cn) ? cn.join(", ") : cn;
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : String(v)}`);
  return parts.length > 0 ? parts.join(", ") : undefined;
}

function sameName(a: Name | undefined, b: Name | undefined): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function isoDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** No TLS session came about: said as such, so a broken turns: port is not mistaken for a slow one. */
export function tlsHandshakeFailure(detail: string, where: string): ProbeError {
  return probeError("tls-handshake-failed", `TLS handshake with ${where} failed: ${detail}`);
}
