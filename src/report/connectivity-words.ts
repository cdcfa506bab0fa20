import type { ConnectivityFact } from "../facts/index.js";

/** Why an attempt was not made, the same words in every format. */
export function notAttemptedWords(reason: NonNullable<ConnectivityFact["notAttempted"]>): string {
  switch (reason) {
    case "no-hairpinning":
      return "not tried: this NAT does not hairpin (NAT test), so two peers behind it cannot reach each other's public address";
  }
}
