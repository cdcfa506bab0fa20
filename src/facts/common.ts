export type AddressFamily = 4 | 6;

export interface TransportAddress {
  address: string;
  port: number;
  family: AddressFamily;
}

/**
 * Why a probe did not succeed, in machine-readable form. `code` says what kind of failure it was;
 * `stunErrorCode` carries the server's exact STUN ERROR-CODE when there was one.
 */
export type ProbeErrorCode =
  | "dns-failure"
  | "timeout"
  | "connection-refused"
  | "connection-reset"
  | "network-unreachable"
  /** UDP: an ICMP port unreachable came back (ECONNREFUSED on the connected socket): an answer, not silence. */
  | "port-unreachable"
  | "tls-handshake-failed"
  /** TCP connected, then the TLS handshake did not complete within the bound. */
  | "tls-handshake-stalled"
  /** TCP connected, and the port answered the TLS ClientHello with something that is not TLS (HTTP, SSH, STUN, ...). */
  | "not-tls"
  | "tls-certificate-invalid"
  | "unauthorized"
  | "stale-nonce"
  | "forbidden"
  | "allocation-mismatch"
  /** The server answered 401 to a request signed with the configured credentials. */
  | "wrong-credentials"
  /** No credentials were configured for a URL that needs them: nothing was sent. */
  | "no-credentials"
  /** Only for a STUN 442 Unsupported Transport Protocol. */
  | "unsupported-transport-protocol"
  /** Only for a STUN 440 Address Family not Supported: the TURN server relays no address of the family asked for. */
  | "address-family-not-supported"
  | "allocation-quota-reached"
  | "insufficient-capacity"
  | "stun-error"
  /** The peer answered, but with something that breaks the protocol (a signalling exchange that cannot go on). */
  | "protocol-error"
  /** An answer that lacks what the protocol requires (no MAPPED-ADDRESS, a 401 without REALM/NONCE). */
  | "malformed-reply"
  /** This stack cannot test the URL (werift and stuns:, STUN over TCP): nothing was tried. */
  | "not-testable"
  /** Gathering finished without a candidate of the type the path needs. */
  | "no-candidate"
  | "internal-error"
  /** The run was interrupted (Ctrl-C) before the probe finished. */
  | "interrupted";

export interface ProbeError {
  code: ProbeErrorCode;
  /** The STUN ERROR-CODE the server sent (e.g. 401, 438, 486), when the failure came from one. */
  stunErrorCode?: number;
  /** The server's reason phrase, when it sent one. */
  stunReason?: string;
  /**
   * What happened, as fact: what was sent, what came back, the OS error. Never advice (the rules
   * say what it means and what to do) and never a credential.
   */
  detail: string;
  /** The same text as `detail`, kept so that reports stay additive for readers of this field. */
  message: string;
}
