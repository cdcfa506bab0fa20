import type { IceScheme, IceTransport, ServerSource } from "../config/types.js";
import type { AddressFamily, ProbeError, TransportAddress } from "./common.js";
import type { AddressClass } from "./candidates.js";

export interface DnsFact {
  host: string;
  /** False for IP literals: nothing had to be resolved. */
  resolved: boolean;
  ok: boolean;
  ipv4: string[];
  ipv6: string[];
  durationMs: number;
  error?: ProbeError;
}

export interface TlsFact {
  /** The name sent as SNI and checked against the certificate. */
  servername: string;
  protocol?: string;
  subject?: string;
  issuer?: string;
  subjectAltNames?: string[];
  validFrom?: string;
  validTo?: string;
  /** Whole days until the certificate expires; negative once it has. */
  daysRemaining?: number;
  /** The chain verifies against the trust store (or the CA given for tests). */
  chainVerified: boolean;
  /** The certificate names the host we connected to. */
  hostnameMatches: boolean;
  /** Node's verification error code (e.g. DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED). */
  verifyError?: string;
  selfSigned?: boolean;
}

/** One request/response exchange with the server, so a person can follow what happened. */
export interface StunExchange {
  request: string;
  /** "success", "error 401 Unauthorized", "timeout", ... */
  outcome: string;
  rttMs?: number;
  retransmissions?: number;
}

export interface RestCredentialFact {
  /** The expiry from the username, ISO 8601. */
  expiresAt: string;
  /** Seconds from the probe until the expiry; negative once it has passed. */
  remainingSec: number;
  /** Minted by rtc-doctor from the `turnSecret` option (else the username given had this form). */
  minted: boolean;
  /** Which part holds the expiry: "expiry-first" ("<expiry>:<user>", the convention) or "user-first" (swapped). */
  order?: "expiry-first" | "user-first";
  /** The timestamp's unit: seconds (the convention) or milliseconds (13 digits; expiresAt reads it as meant). */
  unit?: "seconds" | "milliseconds";
  /** The character between the parts as found in the username (coturn's rest-api-separator defaults to ':'). */
  separator?: string;
  /**
   * coturn's use-auth-secret expiry check passes for this exact username at the probe's time: the
   * timestamp coturn reads (which may not be the one meant) is not in the past. The password is
   * checked only after it.
   */
  coturnAcceptsExpiry?: boolean;
}

/**
 * Whether the TURN server would relay to a peer of a given class: the answer to a CreatePermission
 * for one sample address of that class. A permission only opens the relay's filter; no packet goes
 * to the peer. Recorded only when the server answered (a timeout is in the exchanges, not here).
 */
export interface PeerPermissionFact {
  /** The class of peer address asked for (see AddressClass). */
  peerClass: "private";
  /** The sample peer address (IPv4, port irrelevant to a permission). */
  address: string;
  /** The server granted the permission. */
  allowed: boolean;
  /** The server's STUN ERROR-CODE when it refused (coturn: 403 Forbidden IP for denied-peer-ip ranges). */
  stunErrorCode?: number;
  stunReason?: string;
}

/**
 * After a 440 to the Allocate: the same Allocate asking for the other address family
 * (REQUESTED-ADDRESS-FAMILY), which tells a server that relays only that family (coturn relay-ip of
 * one family) from one that relays nothing. Released at once when granted.
 */
export interface OtherFamilyAllocationFact {
  family: AddressFamily;
  allocated: boolean;
  relayedAddress?: TransportAddress;
  /** The server's STUN ERROR-CODE when it refused this one too. */
  stunErrorCode?: number;
  stunReason?: string;
}

/** What one STUN/TURN URL did when probed on its own, over its own transport. */
export interface ServerFact {
  /** The target's stable id (its canonical URL); every other fact about this server names it. */
  id: string;
  /** Position in the report's list; findings point at /servers/<index>. */
  index: number;
  /** The URL as given. URLs carry no secrets (RFC 7065 has no userinfo). */
  url: string;
  scheme: IceScheme;
  kind: "stun" | "turn";
  transport: IceTransport;
  host: string;
  port: number;
  source: ServerSource;
  /** The TURN username is not secret on its own, but it is left out: REST usernames embed expiry and user ids. */
  hasCredentials: boolean;
  /**
   * TURN REST credentials (username "<unix expiry>:<user>", or a timestamp elsewhere in it): when they
   * expire and the username's shape, so a 401 can be told apart as "expired", "swapped", "milliseconds".
   * Never the username, its user part or the secret.
   */
  restCredential?: RestCredentialFact;
  ok: boolean;
  durationMs: number;
  dns?: DnsFact;
  /** The address the probe actually talked to. */
  remoteAddress?: TransportAddress;
  /** Where that address is reachable from (see AddressClass): a server reached at a public address serves the internet. */
  remoteAddressClass?: AddressClass;
  rttMs?: number;
  retransmissions?: number;
  /** Our address as the server saw it (XOR-MAPPED-ADDRESS). */
  mappedAddress?: TransportAddress;
  /** TURN only: the relayed transport address the server allocated. */
  relayedAddress?: TransportAddress;
  /** TURN only: who can send to the relayed address; peers elsewhere need a public one. */
  relayedAddressClass?: AddressClass;
  /** TURN only: the relay address family the Allocate asked for (no REQUESTED-ADDRESS-FAMILY means IPv4, RFC 8656 section 7.1). */
  requestedFamily?: AddressFamily;
  /** TURN only: after a 440 to the Allocate, what the same request for the other family got. */
  otherFamilyAllocation?: OtherFamilyAllocationFact;
  /** TURN only: lifetime granted, and whether the allocation was released again before the run ended. */
  allocation?: { lifetimeSec?: number; released: boolean; releaseError?: string };
  /** TURN only: whether the allocation may relay to peers of each class probed (after a successful Allocate). */
  peerPermissions?: PeerPermissionFact[];
  realm?: string;
  software?: string;
  /** RFC 5780 support: the server's OTHER-ADDRESS, when it sent one. */
  otherAddress?: TransportAddress;
  tls?: TlsFact;
  /**
   * UDP only: the wait for a first answer ended before the timeout because TCP/TLS to the same
   * address had answered in streamRttMs: a live server, so the silence over UDP is the path's.
   */
  udpWaitCut?: { boundMs: number; streamRttMs: number; streamServerId: string };
  /** TCP/TLS only: the connection (and the TLS handshake) was established, so whatever failed after it was the server's answer. */
  streamConnected?: boolean;
  /**
   * UDP only: datagrams from the server that answered none of the requests (not STUN, or an unknown
   * transaction id), and late copies of answers already received beyond one per request sent
   * (`duplicates`: a server that answers each request many times).
   */
  strayReplies?: { notStun: number; unknownTransaction: number; duplicates?: number };
  exchanges: StunExchange[];
  error?: ProbeError;
}
