import { isIPv6 } from "node:net";
import { performance } from "node:perf_hooks";
import type { IceServerTarget } from "../config/types.js";
import type { StunChannel } from "../stun/transaction.js";
import type { TransportAddress } from "../facts/common.js";
import type { DnsFact, ServerFact } from "../facts/servers.js";
import { scrubbedErrorText } from "../secrets/scrub.js";
import { probeDns } from "./dns.js";
import { pendingServerFact } from "./server-fact.js";
import { probeBinding, type ProbeOutcome } from "./stun-binding.js";
import { probeAllocate } from "./turn-allocate.js";
import { sharingFirstContact, type FirstContactBound } from "./first-contact.js";
import { probeError } from "../facts/probe-error.js";
import { classifyAddress } from "../net/address-class.js";

export interface ServerProbeOptions {
  /** Bound on everything one URL's probe waits for (DNS, connect, transactions). */
  timeoutMs: number;
  /** Extra trust anchor (PEM) for stuns:/turns: certificates, e.g. a private or test CA. */
  tlsCa?: string | Buffer;
  /** Shared by the run's probes: a TCP/TLS answer bounds how long UDP probes of the same address wait. */
  firstContact?: FirstContactBound;
}

/**
 * Probes one ICE server URL over its own transport: DNS, then a Binding (STUN) or an Allocate (TURN).
 * Always resolves with a fact, whatever happens; credentials go into requests and nowhere else.
 */
export async function probeServer(target: IceServerTarget, index: number, options: ServerProbeOptions): Promise<ServerFact> {
  const started = performance.now();
  const { url } = target;
  const fact = pendingServerFact(target, index);
  const finish = (): ServerFact => {
    fact.durationMs = Math.round(performance.now() - started);
    return fact;
  };

  try {
    const dns = await probeDns(url.host, options.timeoutMs);
    fact.dns = dns;
    const remote = remoteAddress(dns, url.port);
    if (!remote) {
      fact.error = dns.error ?? probeError("dns-failure", `'${url.host}' resolved to no address`);
      return finish();
    }
    fact.remoteAddress = remote;
    fact.remoteAddressClass = classifyAddress(remote.address);
    const remaining = Math.max(1, options.timeoutMs - (performance.now() - started));
    const bound = options.firstContact;
    const channelOptions = {
      timeoutMs: remaining,
      tlsCa: options.tlsCa,
      wrap: bound && ((channel: StunChannel) => sharingFirstContact(channel, bound, remote.address, target.id, (cut) => (fact.udpWaitCut = cut))),
    };
    let outcome: ProbeOutcome;
    if (url.isTurn) {
      if (target.username === undefined || target.credential === undefined) {
        fact.error = probeError("no-credentials", "no username/credential configured for this TURN URL; no Allocate was sent");
        return finish();
      }
      outcome = await probeAllocate(url, remote, { username: target.username, credential: target.credential }, channelOptions);
    } else {
      outcome = await probeBinding(url, remote, channelOptions);
    }
    Object.assign(fact, withoutUndefined(outcome));
  } catch (error) {
    // A bug in a probe must not take the other servers' results down with it.
    fact.ok = false;
    fact.error = probeError("internal-error", `probe failed unexpectedly: ${scrubbedErrorText(error, [target.credential])}`);
  }
  return finish();
}

/** Every URL at once: they are independent, and a slow one must not hold up the others. */
export function probeServers(targets: readonly IceServerTarget[], options: ServerProbeOptions): Promise<ServerFact[]> {
  return Promise.all(targets.map((target, index) => probeServer(target, index, options)));
}

/** IPv4 first: it is what werift and most networks use for STUN/TURN; IPv6 when there is nothing else. */
function remoteAddress(dns: DnsFact, port: number): TransportAddress | undefined {
  const address = dns.ipv4[0] ?? dns.ipv6[0];
  if (address === undefined) return undefined;
  return { address, port, family: isIPv6(address) ? 6 : 4 };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
