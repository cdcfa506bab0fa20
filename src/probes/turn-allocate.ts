import { performance } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import type { IceUrl } from "../config/types.js";
import type { AddressFamily, ProbeError, TransportAddress } from "../facts/common.js";
import type { OtherFamilyAllocationFact, PeerPermissionFact, StunExchange } from "../facts/servers.js";
import { classifyAddress, familyOf } from "../net/address-class.js";
import {
  REQUESTED_TRANSPORT_UDP,
  addressAttribute,
  errorCodeOf,
  isSuccess,
  longTermKey,
  mappedAddressOf,
  methods,
  newRequest,
  stringAttribute,
  type Message,
} from "../stun/message.js";
import { StunIcmpError, StunTimeoutError, type StunChannel } from "../stun/transaction.js";
import { icmpOutcome, openChannel, round, transportFailure, type ChannelOptions, type ProbeOutcome, strayRepliesOf, strayRepliesWith } from "./stun-binding.js";
import { probeError } from "../facts/probe-error.js";

/**
 * coturn keeps a UDP allocation for one more second after a Refresh with LIFETIME 0 (it turns 0 into
 * 1 s), so an allocation this run or the previous one just released can still count against a quota
 * of 1: a 486 gets one retry after that second before it is reported.
 */
const QUOTA_RETRY_MS = 1100;

export interface TurnCredentials {
  username: string;
  credential: string;
}

/** Long-term credential state (RFC 5389 section 10.2): what every signed request carries. */
interface Auth {
  username: string;
  realm: string;
  nonce: Buffer;
  key: Buffer;
}

const KNOWN: Record<number, ProbeError> = {
  401: probeError("wrong-credentials", "the TURN server rejected the username or password (401 Unauthorized after authenticating)"),
  438: probeError("stale-nonce", "the TURN server rejected the nonce as stale (438) again after a retry with the fresh nonce it sent"),
  403: probeError("forbidden", "the TURN server refused the allocation (403 Forbidden)"),
  440: probeError("address-family-not-supported", "the TURN server refused the requested relay address family (440 Address Family not Supported)"),
  437: probeError("allocation-mismatch", "the TURN server already holds an allocation for this client address and port (437 Allocation Mismatch)"),
  442: probeError("unsupported-transport-protocol", "the TURN server does not relay the requested transport (442 Unsupported Transport Protocol)"),
  486: probeError("allocation-quota-reached", "the TURN server refused a new allocation for this username (486 Allocation Quota Reached)"),
  508: probeError("insufficient-capacity", "the TURN server has no relay capacity left (508 Insufficient Capacity)"),
};

/** The server's exact STUN error, as an error code a rule can match on. Never mentions credentials. */
export function turnErrorFor(stunErrorCode: number, stunReason?: string): ProbeError {
  const known = KNOWN[stunErrorCode];
  if (known) return probeError(known.code, known.detail, { stunErrorCode, stunReason });
  return probeError("stun-error", `the TURN server answered the Allocate request with error ${stunErrorCode}${stunReason ? ` ${stunReason}` : ""}`, {
    stunErrorCode,
    stunReason,
  });
}

/**
 * TURN Allocate (RFC 5766 / RFC 8656) with long-term credentials over the URL's transport, then the
 * allocation is released again (Refresh, LIFETIME 0) so that probing never uses up a user's quota.
 */
export async function probeAllocate(
  url: IceUrl,
  remote: TransportAddress,
  credentials: TurnCredentials,
  options: ChannelOptions,
): Promise<ProbeOutcome> {
  const deadline = performance.now() + options.timeoutMs;
  const first = await allocateOnce(url, remote, credentials, options, deadline);
  // A 437 over UDP means the server still holds an allocation for this very local port: one a
  // released probe left behind (coturn keeps it for a second) on a port the kernel handed out again.
  // Another socket gets another port; the first answer stays in the exchanges.
  if (url.transport !== "udp" || first.error?.stunErrorCode !== 437 || deadline - performance.now() < 100) return first;
  const last = first.exchanges.at(-1);
  if (last) last.outcome += " (retrying from another local port)";
  const again = await allocateOnce(url, remote, credentials, options, deadline);
  return { ...again, exchanges: [...first.exchanges, ...again.exchanges], retransmissions: (first.retransmissions ?? 0) + (again.retransmissions ?? 0) };
}

async function allocateOnce(url: IceUrl, remote: TransportAddress, credentials: TurnCredentials, options: ChannelOptions, deadline: number): Promise<ProbeOutcome> {
  let opened;
  try {
    opened = await openChannel(url, remote, options);
  } catch (error) {
    return { ok: false, exchanges: [], error: transportFailure(error, url, "connect") };
  }
  try {
    let stray: ReturnType<typeof strayRepliesOf>;
    const outcome = await allocateOn(opened.channel, credentials, {
      deadline,
      releaseTimeoutMs: Math.min(options.timeoutMs, 1000),
      failure: (error) => {
        stray ??= strayRepliesOf(error);
        return transportFailure(error, url, "request");
      },
    });
    if (url.transport === "udp") outcome.retransmissions = outcome.exchanges.reduce((n, e) => n + (e.retransmissions ?? 0), 0);
    const strays = strayRepliesWith(stray, opened.duplicateReplies?.() ?? 0);
    return { ...outcome, tls: opened.tls, ...(url.transport === "udp" ? {} : { streamConnected: true }), ...(strays ? { strayReplies: strays } : {}) };
  } finally {
    opened.channel.close();
  }
}

export interface AllocateOptions {
  /** performance.now() value by which the Allocate exchanges must be done. */
  deadline: number;
  /** The release gets at least this long even when the deadline has passed: a leaked allocation counts against the user's quota. */
  releaseTimeoutMs: number;
  /** How a failed transaction (timeout, reset) is reported. */
  failure(error: unknown): ProbeError;
}

/** A peer address to ask a permission for, and how the exchange list names it. */
export interface PermissionPeer {
  address: string;
  label: string;
}

/** The server's answer to one CreatePermission. */
export interface PermissionAnswer {
  address: string;
  allowed: boolean;
  stunErrorCode?: number;
  stunReason?: string;
}

/** The Allocate conversation on an open channel; separate from the transport so it can be tested on its own. */
export async function allocateOn(
  channel: StunChannel,
  credentials: TurnCredentials,
  options: AllocateOptions,
): Promise<ProbeOutcome> {
  const { outcome, permissions } = await allocateAndAsk(channel, credentials, options, PEER_SAMPLES);
  const facts = PEER_SAMPLES.flatMap((peer, i) => {
    const answer = permissions[i];
    return answer ? [{ peerClass: peer.peerClass, ...answer }] : [];
  });
  if (facts.length > 0) outcome.peerPermissions = facts;
  return outcome;
}

/**
 * Allocate, then CreatePermission for each peer of the relay's family (a permission belongs to the
 * allocation, so it is asked for before the release), then the release. `permissions` lines up with
 * `peers`: undefined where nothing was asked (other family, no relay, out of time) or nothing came back.
 */
export async function allocateAndAsk(
  channel: StunChannel,
  credentials: TurnCredentials,
  options: AllocateOptions,
  peers: readonly PermissionPeer[],
): Promise<{ outcome: ProbeOutcome; permissions: (PermissionAnswer | undefined)[] }> {
  const permissions: (PermissionAnswer | undefined)[] = peers.map(() => undefined);
  const outcome = await allocateWith(channel, credentials, options, async (send, auth, relay) => {
    // A peer of the other family would get 443 (address family mismatch), which says nothing about policy.
    const asked = peers.map((peer, i) => ({ peer, i })).filter(({ peer }) => familyOf(peer.address) === relay.family);
    const answers = await askPermissions(send, auth, options.deadline, asked.map(({ peer }) => peer));
    asked.forEach(({ i }, k) => (permissions[i] = answers[k]));
  });
  return { outcome, permissions };
}

type UseAllocation = (send: Send, auth: Auth | undefined, relay: TransportAddress) => Promise<void>;

async function allocateWith(
  channel: StunChannel,
  credentials: TurnCredentials,
  options: AllocateOptions,
  use: UseAllocation,
): Promise<ProbeOutcome> {
  const { deadline } = options;
  const exchanges: StunExchange[] = [];
  // No REQUESTED-ADDRESS-FAMILY is sent, which asks for IPv4 (RFC 8656 section 7.1), as browsers and werift do.
  const outcome: ProbeOutcome = { ok: false, exchanges, requestedFamily: 4 };
  const send = async (name: string, message: Message, timeoutMs = Math.max(1, deadline - performance.now())) => {
    const result = await channel.request(message, { timeoutMs }).catch((error: unknown) => {
      const sent = error instanceof StunTimeoutError || error instanceof StunIcmpError;
      const attempts = sent && channel.transport === "udp" ? { retransmissions: error.attempts - 1 } : {};
      exchanges.push({ request: name, outcome: error instanceof StunTimeoutError ? "timeout" : error instanceof StunIcmpError ? icmpOutcome(error) : "failed", ...attempts });
      throw error;
    });
    const exchange: StunExchange = { request: name, outcome: describe(result.response), rttMs: round(result.rttMs) };
    if (channel.transport === "udp") exchange.retransmissions = result.retransmissions;
    exchanges.push(exchange);
    outcome.software ??= stringAttribute(result.response, "SOFTWARE");
    return { response: result.response, exchange };
  };

  let auth: Auth | undefined;
  let response: Message;
  try {
    const first = await send("Allocate", allocateRequest());
    response = first.response;
    outcome.rttMs = first.exchange.rttMs;
    const challenge = errorCodeOf(response);
    if (!isSuccess(response)) {
      const realm = stringAttribute(response, "REALM");
      const nonce = nonceOf(response);
      if (challenge?.code !== 401) return fail(outcome, unauthenticatedError(challenge));
      if (realm === undefined || nonce === undefined) {
        return fail(outcome, probeError("malformed-reply", "the TURN server's 401 challenge carries no REALM or NONCE", { stunErrorCode: 401 }));
      }
      first.exchange.outcome += " (challenge)";
      outcome.realm = realm;
      auth = { username: credentials.username, realm, nonce, key: longTermKey(credentials.username, realm, credentials.credential) };

      let signed = await send("Allocate (authenticated)", sign(allocateRequest(), auth));
      const stale = errorCodeOf(signed.response);
      const freshNonce = nonceOf(signed.response);
      if (stale?.code === 438 && freshNonce) {
        signed.exchange.outcome += " (retrying with the new nonce)";
        auth.nonce = freshNonce;
        signed = await send("Allocate (new nonce)", sign(allocateRequest(), auth));
      }
      if (errorCodeOf(signed.response)?.code === 486 && deadline - performance.now() > QUOTA_RETRY_MS + 200) {
        signed.exchange.outcome += ` (retrying once in ${QUOTA_RETRY_MS} ms)`;
        await delay(QUOTA_RETRY_MS);
        signed = await send("Allocate (quota retry)", sign(allocateRequest(), auth));
      }
      response = signed.response;
      if (!isSuccess(response)) {
        const e = errorCodeOf(response);
        fail(outcome, e ? turnErrorFor(e.code, e.reason) : protocolError("an Allocate error without ERROR-CODE"));
        if (e?.code === 440) {
          const other = await allocateOtherFamily(send, auth, 6, deadline, options.releaseTimeoutMs);
          if (other) outcome.otherFamilyAllocation = other;
        }
        return outcome;
      }
    }
  } catch (error) {
    return fail(outcome, options.failure(error));
  }

  outcome.relayedAddress = addressAttribute(response, "XOR-RELAYED-ADDRESS");
  if (outcome.relayedAddress) outcome.relayedAddressClass = classifyAddress(outcome.relayedAddress.address);
  outcome.mappedAddress = mappedAddressOf(response);
  const lifetime = response.getAttributeValue("LIFETIME") as unknown;
  outcome.ok = outcome.relayedAddress !== undefined;
  if (!outcome.ok) outcome.error = protocolError("an Allocate success response without XOR-RELAYED-ADDRESS");

  if (outcome.ok && outcome.relayedAddress) await use(send, auth, outcome.relayedAddress);

  const releaseTimeout = Math.max(deadline - performance.now(), options.releaseTimeoutMs);
  outcome.allocation = {
    lifetimeSec: typeof lifetime === "number" ? lifetime : undefined,
    ...(await release(send, auth, releaseTimeout)),
  };
  return outcome;
}

type Send = (name: string, message: Message, timeoutMs?: number) => Promise<{ response: Message; exchange: StunExchange }>;

/**
 * The Allocate again, asking for the other family: a server that grants it relays only that family
 * (coturn relay-ip of one family). Its allocation is released at once; no answer means "not known".
 */
async function allocateOtherFamily(send: Send, auth: Auth, family: AddressFamily, deadline: number, releaseTimeoutMs: number): Promise<OtherFamilyAllocationFact | undefined> {
  if (deadline - performance.now() < 1) return undefined;
  try {
    const { response } = await send(`Allocate (IPv${family} relay)`, sign(allocateRequest(family), auth));
    if (!isSuccess(response)) {
      const e = errorCodeOf(response);
      return { family, allocated: false, ...(e ? { stunErrorCode: e.code, ...(e.reason ? { stunReason: e.reason } : {}) } : {}) };
    }
    const relayedAddress = addressAttribute(response, "XOR-RELAYED-ADDRESS");
    await release(send, auth, Math.max(deadline - performance.now(), releaseTimeoutMs));
    return { family, allocated: true, ...(relayedAddress ? { relayedAddress } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Peers a relay is asked about. 10.0.0.1 stands for RFC 1918 space: what a bot or media server in the
 * same VPC or Docker network as the TURN server offers, and what coturn's denied-peer-ip usually
 * covers. CreatePermission sends nothing to the peer, so the address needs no owner and no route.
 */
const PEER_SAMPLES: readonly (PermissionPeer & Pick<PeerPermissionFact, "peerClass">)[] = [
  { peerClass: "private", address: "10.0.0.1", label: "private peer 10.0.0.1" },
];

/**
 * CreatePermission for each peer (RFC 8656 section 9), within the probe's deadline. Its outcome
 * never touches the allocation's: a relay that works for public peers still works when this fails.
 */
async function askPermissions(send: Send, auth: Auth | undefined, deadline: number, peers: readonly PermissionPeer[]): Promise<(PermissionAnswer | undefined)[]> {
  const answers: (PermissionAnswer | undefined)[] = [];
  for (const peer of peers) {
    // Out of time: the release still gets its own budget, and the missing answer says "not known".
    if (deadline - performance.now() < 1) break;
    const name = `CreatePermission (${peer.label})`;
    try {
      let result = await send(name, permissionRequest(peer.address, auth));
      const stale = errorCodeOf(result.response);
      const nonce = nonceOf(result.response);
      if (auth && stale?.code === 438 && nonce) {
        result.exchange.outcome += " (retrying with the new nonce)";
        auth.nonce = nonce;
        result = await send(`${name}, new nonce`, permissionRequest(peer.address, auth));
      }
      const e = errorCodeOf(result.response);
      answers.push({
        address: peer.address,
        allowed: isSuccess(result.response),
        ...(!isSuccess(result.response) && e ? { stunErrorCode: e.code, ...(e.reason ? { stunReason: e.reason } : {}) } : {}),
      });
    } catch {
      // No answer says nothing about the server's policy; the exchange list records the timeout.
      answers.push(undefined);
    }
  }
  return answers;
}

/** Refresh with LIFETIME 0 deletes the allocation (RFC 5766 section 7); a stale nonce gets one re-signed retry. */
async function release(send: Send, auth: Auth | undefined, timeoutMs: number): Promise<{ released: boolean; releaseError?: string }> {
  const started = performance.now();
  const remaining = () => Math.max(1, timeoutMs - (performance.now() - started));
  try {
    let result = await send("Refresh (lifetime 0)", refreshRequest(auth), remaining());
    const e = errorCodeOf(result.response);
    const nonce = nonceOf(result.response);
    if (auth && e?.code === 438 && nonce) {
      result.exchange.outcome += " (retrying with the new nonce)";
      auth.nonce = nonce;
      result = await send("Refresh (lifetime 0, new nonce)", refreshRequest(auth), remaining());
    }
    if (isSuccess(result.response)) return { released: true };
    return { released: false, releaseError: result.exchange.outcome };
  } catch (error) {
    return { released: false, releaseError: error instanceof StunTimeoutError ? `no answer to the Refresh: ${error.message}` : String(error) };
  }
}

/** RFC 8656 section 18.10: the family in the first byte (0x01 IPv4, 0x02 IPv6). Without a family the server relays IPv4. */
function allocateRequest(family?: AddressFamily): Message {
  const message = newRequest(methods.ALLOCATE).setAttribute("REQUESTED-TRANSPORT", REQUESTED_TRANSPORT_UDP);
  return family === undefined ? message : message.setAttribute("REQUESTED-ADDRESS-FAMILY", (family === 6 ? 0x02 : 0x01) << 24);
}

function permissionRequest(peer: string, auth: Auth | undefined): Message {
  // The port is ignored by permissions (RFC 8656 section 9); the attribute still needs one.
  const message = newRequest(methods.CREATE_PERMISSION).setAttribute("XOR-PEER-ADDRESS", [peer, 9]);
  return auth ? sign(message, auth) : message.addFingerprint();
}

function refreshRequest(auth: Auth | undefined): Message {
  const message = newRequest(methods.REFRESH).setAttribute("LIFETIME", 0);
  return auth ? sign(message, auth) : message.addFingerprint();
}

/** MESSAGE-INTEGRITY must follow every signed attribute, and FINGERPRINT comes last (RFC 5389 section 15). */
function sign(message: Message, auth: Auth): Message {
  return message
    .setAttribute("USERNAME", auth.username)
    .setAttribute("REALM", auth.realm)
    .setAttribute("NONCE", auth.nonce)
    .addMessageIntegrity(auth.key)
    .addFingerprint();
}

function nonceOf(message: Message): Buffer | undefined {
  const value = message.getAttributeValue("NONCE") as unknown;
  if (Buffer.isBuffer(value)) return value;
  return typeof value === "string" ? Buffer.from(value) : undefined;
}

function describe(response: Message): string {
  if (isSuccess(response)) return "success";
  const e = errorCodeOf(response);
  return e ? `error ${e.code} ${e.reason}`.trim() : "error (no ERROR-CODE)";
}

/** Errors to the unauthenticated first request (any but the 401 challenge) mean what they mean after it. */
function unauthenticatedError(e: { code: number; reason: string } | undefined): ProbeError {
  return e ? turnErrorFor(e.code, e.reason) : protocolError("an Allocate error without ERROR-CODE");
}

function protocolError(what: string): ProbeError {
  return probeError("malformed-reply", `the TURN server sent ${what}`);
}

function fail(outcome: ProbeOutcome, error: ProbeError): ProbeOutcome {
  outcome.ok = false;
  outcome.error = error;
  return outcome;
}
