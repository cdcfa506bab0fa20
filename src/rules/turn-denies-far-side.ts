import type { FarSidePeerPermissionFact, FarSidePermissionsFact, Facts } from "../facts/index.js";
import { isLocalOnly } from "../net/address-class.js";
import type { Evidence, RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { list, plural, serverPath } from "./helpers.js";
import { describeCandidate } from "./session-helpers.js";
import { remoteAttempt } from "./remote-helpers.js";

type Message = "far-side-refused" | "far-side-refused-unused" | "far-side-partly-refused";

function refused(p: FarSidePeerPermissionFact): boolean {
  return !p.allowed && p.stunErrorCode === 403;
}

function peerWords(p: FarSidePeerPermissionFact): string {
  return `${p.candidateTypes.join("/")} ${p.address} (${p.addressClass})`;
}

/**
 * The far-side addresses that decide whether the relay can reach it: the public ones when there
 * are any (a TURN server refusing the far side's private host address is the usual denied-peer-ip
 * policy, and turn-denies-private-peers speaks of it), else all of them.
 */
function deciding(peers: readonly FarSidePeerPermissionFact[]): FarSidePeerPermissionFact[] {
  const reachable = peers.filter((p) => !isLocalOnly(p.addressClass));
  return reachable.length > 0 ? reachable : [...peers];
}

function hit(facts: Facts, f: FarSidePermissionsFact, k: number): RuleHit<Message> | undefined {
  const decide = deciding(f.peers);
  const denied = decide.filter(refused);
  if (denied.length === 0) return undefined;
  const server = facts.servers.find((s) => s.id === f.serverId);
  const attempt = remoteAttempt(facts);
  const failed = attempt !== undefined && !attempt.fact.ok && attempt.fact.stalledIn !== "signalling";
  const all = denied.length === decide.length;

  const evidence: Evidence[] = f.peers.flatMap((p, i) =>
    refused(p) && decide.includes(p)
      ? [{ path: `/farSidePermissions/${k}/peers/${i}`, fact: `${f.url}: CreatePermission for the far side's ${peerWords(p)} answered ${p.stunErrorCode}${p.stunReason ? ` ${p.stunReason}` : ""}` }]
      : [],
  );
  const allowed = decide.filter((p) => p.allowed);
  if (allowed.length > 0) {
    evidence.push({ path: `/farSidePermissions/${k}/peers`, fact: `allowed: ${list(allowed.map(peerWords))}` });
  }
  const session = facts.session;
  const deniedAddresses = new Set(denied.map((p) => p.address));
  const relayPairs = (session?.pairs ?? []).filter((p) => p.local.type === "relay" && deniedAddresses.has(p.remote.address));
  if (failed && relayPairs.length > 0) {
    evidence.push(
      ...relayPairs.slice(0, 3).map((p) => ({
        path: "/session/pairs",
        fact: `${describeCandidate(p.local)} -> ${describeCandidate(p.remote)}: ${p.state}, ${p.requestsSent ?? 0} requests sent, ${p.responsesReceived ?? 0} responses`,
      })),
    );
  }
  const deniedWords = list(denied.map(peerWords));

  if (failed && all) {
    return {
      message: "far-side-refused",
      explanation:
        `After the far side answered, rtc-doctor asked ${f.url} for a permission to each address the far side offered (a permission only opens the relay's filter; nothing was sent to the far side). ` +
        `The TURN server refused ${deniedWords} with 403 Forbidden: its relay may neither send to nor receive from the far side there. ` +
        `So every relay pair to ${denied.length === 1 ? "that address" : "those addresses"} fails at the TURN server${relayPairs.length > 0 ? ` (${plural(relayPairs.length, "relay pair")} here, none answered)` : ""}: the checks counted as sent never leave the relay. ` +
        `The far side's firewall is not what stops them${decide.length < f.peers.length ? ", and its other addresses (private, loopback) cannot be reached from a relay on the internet anyway" : ""}.`,
      fix:
        "On the TURN server, let the relay reach the far side. coturn: remove or narrow the denied-peer-ip range that covers " +
        `${list(denied.map((p) => p.address))}, or add allowed-peer-ip=<first>-<last> for the far side's addresses (it overrides denied-peer-ip); ` +
        "a far side on the TURN host itself or on 127.0.0.1 needs allow-loopback-peers (or, better, a real interface address). Restart coturn after the change. " +
        "A managed TURN service: ask the provider which peer ranges it refuses.",
      evidence,
      subjects: [`/farSidePermissions/${k}`, ...(server ? [serverPath(server)] : []), ...(session ? ["/session/pairs"] : [])],
    };
  }
  return {
    message: all ? "far-side-refused-unused" : "far-side-partly-refused",
    explanation: all
      ? `${f.url} refuses to relay to the far side (403 Forbidden for ${deniedWords}). This attempt ${attempt?.fact.ok ? "connected without the relay" : "did not get far enough to depend on it"}, but a client whose direct path is blocked has no way through this relay to this far side.`
      : `${f.url} refuses to relay to some of the far side's addresses (403 Forbidden for ${deniedWords}) and allows others. Relay pairs to the refused addresses fail at the TURN server; the allowed ones can still carry the call.`,
    fix:
      "If the relay must reach these far-side addresses, change the TURN server's peer policy: coturn denied-peer-ip / allowed-peer-ip (allowed overrides denied), allow-loopback-peers for a far side on 127.0.0.1. " +
      "Nothing to do if the refused addresses are ones no client should relay to.",
    evidence,
    subjects: [`/farSidePermissions/${k}`],
  };
}

/**
 * Root cause 9 of the notes for the real far peer: the TURN server our side relays through refuses
 * a permission (403) for the far side's own addresses: coturn denied-peer-ip covering them, or
 * loopback peers denied. Told apart from a far side whose firewall drops relayed packets by asking
 * the server directly.
 */
export const turnDeniesFarSide = defineRule<Message>({
  id: "turn-denies-far-side",
  docs: "docs/rules/turn-denies-far-side.md",
  requires: ["farSidePermissions"],
  messages: {
    "far-side-refused": { severity: "error", title: "The TURN server refuses to relay to the far side (403 Forbidden)" },
    "far-side-refused-unused": { severity: "warning", title: "The TURN server refuses to relay to the far side (403 Forbidden)" },
    "far-side-partly-refused": { severity: "warning", title: "The TURN server refuses to relay to some of the far side's addresses" },
  },
  supersedes: ["far-side-unreachable-via-relay", "turn-denies-private-peers"],
  check(facts) {
    return (facts.farSidePermissions ?? []).flatMap((f, k) => {
      const h = hit(facts, f, k);
      return h ? [h] : [];
    });
  },
});
