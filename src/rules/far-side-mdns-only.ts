import { defineRule } from "./define-rule.js";
import { anyPairSucceeded, candidateEvidence, candidatesOf, sideName } from "./session-helpers.js";

/** Browsers hide host addresses behind random .local names; with nothing else, only the same LAN can resolve them. */
export const farSideMdnsOnly = defineRule({
  id: "far-side-mdns-only",
  docs: "docs/rules/far-side-mdns-only.md",
  requires: ["session"],
  messages: {
    "mdns-only": { severity: "error", title: "The far side offers only mDNS (.local) candidates" },
  },
  supersedes: [],
  check(facts) {
    const session = facts.session;
    if (!session) return [];
    const remote = candidatesOf(session, "remote");
    if (remote.length === 0 || !remote.every((c) => c.addressClass === "mdns")) return [];
    // Two peers on one link resolve each other's names: a pair that succeeded shows this one did.
    if (anyPairSucceeded(session)) return [];
    return [
      {
        message: "mdns-only",
        explanation:
          `Every candidate ${sideName(session, "remote")} offers is an mDNS name (${remote[0]?.address ?? ".local"}): a browser hides its host address behind a random .local name. ` +
          "Only a peer on the same link can resolve it with multicast DNS; a server or a peer on another network cannot (many native stacks do not try), so there is no address to check and ICE stays in checking. " +
          "A browser normally adds a server-reflexive candidate next to it: none here means its STUN/TURN servers gave nothing.",
        fix:
          "Configure STUN and TURN servers in the browser's RTCPeerConnection so it offers srflx/relay candidates besides the .local one, and check they work (an rtc-doctor check with those servers as {option:turn}). " +
          "For tests on a LAN, a native peer must resolve .local names (enable mDNS resolution), or Chrome's mDNS hiding can be disabled by policy (WebRtcLocalIpsAllowedUrls).",
        evidence: candidateEvidence(session, "remote"),
        subjects: ["/session/remote"],
      },
    ];
  },
});
