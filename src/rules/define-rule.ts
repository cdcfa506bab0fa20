import type { Rule } from "./types.js";

/** Lets TypeScript learn a rule's message ids from its `messages`, so a hit naming another id does not compile. */
export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}
