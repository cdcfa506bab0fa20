import type { AddressFamily } from "../facts/common.js";
import type { AddressClass, CandidateType } from "../facts/candidates.js";
import type { ConnectivityFact } from "../facts/connectivity.js";
import { classifyAddress, familyOf } from "../net/address-class.js";

// Which far-side addresses there are to ask about, from the remote attempt's facts alone: no STUN
// codec, so the phase can tell whether it applies without loading the probe.

/** At most this many far-side addresses are asked about: a far side has a handful, a hostile answer thousands. */
export const MAX_FAR_SIDE_ADDRESSES = 16;

export interface FarSideAddress {
  address: string;
  family: AddressFamily;
  addressClass: AddressClass;
  candidateTypes: CandidateType[];
}

/**
 * Every distinct IP address the far side offered in its answer or was seen at in the checks
 * (peer-reflexive candidates), in the order first seen. Names (mDNS) cannot be asked about.
 */
export function farSideAddresses(fact: ConnectivityFact): FarSideAddress[] {
  const byAddress = new Map<string, FarSideAddress>();
  for (const c of [...fact.remoteCandidates, ...fact.pairs.map((p) => p.remote)]) {
    const family = familyOf(c.address);
    const addressClass = classifyAddress(c.address);
    if (family === undefined || addressClass === "unspecified") continue;
    const key = c.address.toLowerCase();
    const entry = byAddress.get(key) ?? { address: c.address, family, addressClass, candidateTypes: [] };
    if (!entry.candidateTypes.includes(c.type)) entry.candidateTypes.push(c.type);
    byAddress.set(key, entry);
  }
  return [...byAddress.values()];
}
