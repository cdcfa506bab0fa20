import { performance } from "node:perf_hooks";
import type { IceServerTarget } from "../config/types.js";
import type { FarSidePeerPermissionFact, FarSidePermissionsFact } from "../facts/far-side-permissions.js";
import type { ServerFact } from "../facts/servers.js";
import { probeError } from "../facts/probe-error.js";
import { MAX_FAR_SIDE_ADDRESSES, type FarSideAddress } from "./far-side-addresses.js";
import { openChannel, transportFailure } from "./stun-binding.js";
import { allocateAndAsk, type PermissionPeer } from "./turn-allocate.js";

export interface FarSidePermissionsOptions {
  /** Bound on the whole conversation (connect, Allocate, permissions); the release gets its own second. */
  timeoutMs: number;
  tlsCa?: string | Buffer;
}

/**
 * A fresh allocation on `target` (the TURN URL our side relayed through, whose probe allocated), a
 * CreatePermission for each far-side address of the relay's family, and the release. Nothing is
 * sent to the far side: a permission only opens the relay's filter.
 */
export async function probeFarSidePermissions(
  target: IceServerTarget,
  server: ServerFact,
  addresses: readonly FarSideAddress[],
  options: FarSidePermissionsOptions,
): Promise<FarSidePermissionsFact> {
  const started = performance.now();
  const fact: FarSidePermissionsFact = { serverId: target.id, url: target.url.raw, ok: false, durationMs: 0, peers: [], exchanges: [] };
  const finish = () => {
    fact.durationMs = Math.round(performance.now() - started);
    return fact;
  };
  const remote = server.remoteAddress;
  if (!remote || target.username === undefined || target.credential === undefined) {
    fact.error = probeError("not-testable", "the TURN URL has no address or no credentials to allocate with");
    return finish();
  }
  const asked = addresses.slice(0, MAX_FAR_SIDE_ADDRESSES);
  const limited = addresses.slice(MAX_FAR_SIDE_ADDRESSES).map((a) => ({ address: a.address, reason: "limit" as const }));
  const peers: PermissionPeer[] = asked.map((a) => ({ address: a.address, label: `far side ${a.candidateTypes.join("/")} ${a.address}` }));

  let opened;
  try {
    opened = await openChannel(target.url, remote, { timeoutMs: options.timeoutMs, tlsCa: options.tlsCa });
  } catch (error) {
    fact.error = transportFailure(error, target.url, "connect");
    return finish();
  }
  try {
    const { outcome, permissions } = await allocateAndAsk(
      opened.channel,
      { username: target.username, credential: target.credential },
      {
        deadline: started + options.timeoutMs,
        releaseTimeoutMs: Math.min(options.timeoutMs, 1000),
        failure: (error) => transportFailure(error, target.url, "request"),
      },
      peers,
    );
    fact.ok = outcome.ok;
    fact.exchanges = outcome.exchanges;
    if (outcome.error) fact.error = outcome.error;
    const relayFamily = outcome.relayedAddress?.family;
    const otherFamily = relayFamily === undefined ? [] : asked.filter((a) => a.family !== relayFamily).map((a) => ({ address: a.address, reason: "other-family" as const }));
    if (otherFamily.length + limited.length > 0) fact.notAsked = [...otherFamily, ...limited];
    fact.peers = asked.flatMap((a, i): FarSidePeerPermissionFact[] => {
      const answer = permissions[i];
      return answer ? [{ ...a, ...answer }] : [];
    });
  } finally {
    opened.channel.close();
  }
  return finish();
}
