/**
 * Bounds on what a configuration may hold. Generous for any real deployment (a provider's token API
 * hands out a handful of servers), and small enough that a wrong file or a hostile environment
 * variable ends in one clear line, not in minutes of probing or a stack overflow.
 */

/** An RTCIceServer list as text (inline, @file, the environment) or a config file. */
export const MAX_CONFIG_JSON_BYTES = 1024 * 1024;
/** RTCIceServer entries in one list. */
export const MAX_ICE_SERVERS = 256;
/** URLs in one RTCIceServer entry. */
export const MAX_URLS_PER_ICE_SERVER = 32;
/** Probe targets from every source together, after duplicates are dropped. */
export const MAX_TARGETS = 256;
/** Nesting of any JSON input (config, ICE servers, explain input); real inputs stay under ~12. */
export const MAX_JSON_DEPTH = 64;
/** What `explain` reads: webrtc-internals dumps of long calls reach tens of megabytes. */
export const MAX_EXPLAIN_INPUT_BYTES = 256 * 1024 * 1024;
