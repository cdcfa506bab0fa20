/** One expectation (the `expect` option) and how the run measured up to it. */
export interface ExpectationResult {
  /** The expectation in its canonical written form, e.g. "relay:tls", "nat:!symmetric", "rtt<150". */
  expectation: string;
  met: boolean;
  /** What was actually measured, in words; starts with "not measured" when the run gathered no fact for it. */
  actual: string;
  /** JSON pointer to the fact that decided it, when one did. */
  path?: string;
}
