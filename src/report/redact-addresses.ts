import { isIPv4, isIPv6 } from "node:net";
import { classifyAddress } from "../net/address-class.js";

// Candidates for addresses, in one pass so placeholders are numbered in reading order; each match is
// confirmed with node:net before it is replaced, so versions, times and MAC addresses stay as they are.
const V6 = String.raw`(?<![\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]{1,4})?(?:%[\w.-]+)?(?![\w:]|\.\d)`;
const V4 = String.raw`(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)`;
const ADDRESS = new RegExp(`(${V6})|(${V4})`, "gi");

/**
 * Replaces IP addresses with placeholders for sharing a report in public: the same address always
 * gets the same placeholder within one run (so "the relay is the server" stays visible), and the
 * placeholder keeps the address's class (private, public, loopback...), which diagnoses rely on.
 */
export class AddressRedactor {
  private readonly seen = new Map<string, string>();

  redact(text: string): string {
    return text.replace(ADDRESS, (match, v6: string | undefined) => {
      if (v6 !== undefined) {
        const bare = match.replace(/%.*$/, "");
        return isIPv6(bare) ? this.placeholder(bare.toLowerCase(), 6) : match;
      }
      return isIPv4(match) ? this.placeholder(match, 4) : match;
    });
  }

  private placeholder(address: string, family: 4 | 6): string {
    let name = this.seen.get(address);
    if (name === undefined) {
      name = `ip${family}-${classifyAddress(address)}-${this.seen.size + 1}`;
      this.seen.set(address, name);
    }
    return name;
  }
}
