import type { Facts, CandidateFact } from "../facts/index.js";
import type { Evidence, RuleHit } from "./types.js";
import { defineRule } from "./define-rule.js";
import { serverPath, turnServers } from "./helpers.js";
import { candidateEvidence, candidatesOf, sideName } from "./session-helpers.js";

/** Classes a TURN server in the same private network could reach, and that denied-peer-ip ranges cover. */
const PRIVATE = new Set<CandidateFact["addressClass"]>(["private", "container-bridge", "cgnat"]);

/** The far side offers IP candidates, and all of them are private: then the relay is its only way in. */
function farSideOnlyPrivate(facts: Facts): boolean {
  const session = facts.session;
  if (!session) return false;
  const withIp = candidatesOf(session, "remote").filter((c) => c.addressClass !== "mdns");
  return withIp.length > 0 && withIp.every((c) => PRIVATE.has(c.addressClass));
}

/**
 * Root cause 9 of the notes: coturn answers CreatePermission for a denied peer range with 403 Forbidden
 * IP (denied-peer-ip, or the private ranges many packaged configs deny). Harmless while every far side
 * has a public address; fatal when the far side (a bot, a media server) sits in the same private
 * network as the TURN server and offers only its private address.
 */
const TITLE = "The TURN server refuses to relay to private addresses";
type Message = "denies-private-peers" | "far-side-only-private";

export const turnDeniesPrivatePeers = defineRule<Message>({
  id: "turn-denies-private-peers",
  docs: "docs/rules/turn-denies-private-peers.md",
  requires: ["servers"],
  messages: {
    "denies-private-peers": { severity: "warning", title: TITLE },
    "far-side-only-private": { severity: "error", title: TITLE },
  },
  supersedes: [],
  check(facts) {
    const onlyPrivate = farSideOnlyPrivate(facts);
    const hits: RuleHit<Message>[] = [];
    for (const s of turnServers(facts.servers)) {
      const denied = (s.peerPermissions ?? []).flatMap((p, i) => (p.peerClass === "private" && !p.allowed && p.stunErrorCode === 403 ? [{ p, i }] : []));
      if (denied.length === 0) continue;
      const evidence: Evidence[] = denied.map(({ p, i }) => ({
        path: serverPath(s, `peerPermissions/${i}`),
        fact: `${s.url}: CreatePermission for ${p.address} answered 403${p.stunReason ? ` ${p.stunReason}` : ""}`,
      }));
      const session = facts.session;
      if (onlyPrivate && session) {
        evidence.push(...candidateEvidence(session, "remote"));
        hits.push({
          message: "far-side-only-private",
          subjects: [serverPath(s)],
          explanation:
            `${s.url} allocates relays but refuses to relay to private addresses (403 to a permission for ${denied[0]?.p.address}), and every candidate ${sideName(session, "remote")} offers is private. ` +
            "A relay candidate can only reach the far side through that server, so every relay check is refused before it is sent and ICE stays in checking.",
          fix:
            "If the far side (bot, media server) and the TURN server share a private network (same VPC, same Docker network), allow that range on the TURN server: " +
            "coturn allowed-peer-ip=10.0.0.0-10.255.255.255 (narrowed to the far side's subnet), which overrides denied-peer-ip. " +
            "Otherwise give the far side a public address: STUN for a server-reflexive candidate, or the public IP announced (1:1 NAT mapping).",
          evidence,
        });
      } else {
        hits.push({
          message: "denies-private-peers",
          subjects: [serverPath(s)],
          explanation:
            `${s.url} allocates relays but refuses to relay to private addresses (403 to a permission for ${denied[0]?.p.address}). ` +
            "Peers on the internet are unaffected; a far side that can only be reached at a private address (a bot or media server in the TURN server's own VPC or Docker network) cannot be reached through this relay.",
          fix:
            "Nothing to do when every far side has a public address: denying private peers protects the TURN server's network. " +
            "If a far side shares a private network with the TURN server, allow just that subnet: coturn allowed-peer-ip=<first>-<last> (overrides denied-peer-ip).",
          evidence,
        });
      }
    }
    return hits;
  },
});
