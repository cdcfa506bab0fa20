export type IceScheme = "stun" | "stuns" | "turn" | "turns";
export type IceTransport = "udp" | "tcp" | "tls";
export type HostKind = "ipv4" | "ipv6" | "name";

/** One STUN/TURN URL, parsed per RFC 7064 / RFC 7065. */
export interface IceUrl {
  /** The URL exactly as the user wrote it (ICE URLs carry no secrets: RFC 7065 forbids userinfo). */
  readonly raw: string;
  readonly scheme: IceScheme;
  /** Host without IPv6 brackets. */
  readonly host: string;
  readonly hostKind: HostKind;
  readonly port: number;
  /** The transport the URL selects: stun/turn default to udp, stuns/turns mean TLS over TCP. */
  readonly transport: IceTransport;
  /** True when the URL names a TURN server (turn: or turns:). */
  readonly isTurn: boolean;
}

export type ServerSource = "flag" | "ice-servers" | "env" | "config-file" | "default" | "signalling";

/** One URL to probe, with the credentials that belong to it. Credentials never reach a report. */
export interface IceServerTarget {
  /** Stable within a run and across runs of one configuration; every fact about this target names it. */
  readonly id: string;
  readonly url: IceUrl;
  readonly username?: string;
  readonly credential?: string;
  /** The credentials were minted here from a TURN REST shared secret (the `turnSecret` option). */
  readonly restMinted?: boolean;
  readonly source: ServerSource;
}

/** The browser's RTCIceServer as users and provider APIs write it: `urls` may be a single string. */
export interface RTCIceServerInput {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * An RTCIceServer once parsed: `urls` is always a list, so no code past the parsers has to ask.
 * It is also the shape a peer connection is given (see toRTCIceServers).
 */
export interface RTCIceServerLike {
  urls: string[];
  username?: string;
  credential?: string;
}
