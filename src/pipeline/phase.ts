import type { Artifacts, ArtifactKey } from "./artifacts.js";

/** What every phase of one run shares: the abort signal and a way to report secrets it learned. */
export interface PhaseContext {
  /** Aborted when the run is interrupted; the runner stops waiting for the phase at once. */
  readonly signal: AbortSignal;
  /** Secrets learned during the run (credentials handed out by a signalling server), for output scrubbing. */
  secrets(values: readonly string[]): void;
}

/**
 * One step of a check, in the spirit of Lighthouse's gatherers: it declares the artifacts it needs
 * and those it produces, and the runner derives the order (and what can run side by side) from that.
 * A phase whose needs are absent after their producers ran (skipped, or produced nothing) is skipped.
 */
export interface Phase<N extends ArtifactKey = ArtifactKey, P extends ArtifactKey = ArtifactKey> {
  /** Short and stable: progress events and `--verbose` lines name it. */
  readonly name: string;
  readonly needs: readonly N[];
  readonly produces: readonly P[];
  /** Whether there is anything to do with these inputs (e.g. no working server: nothing to gather through). */
  applies?(input: Pick<Artifacts, N>): boolean;
  /** One line for a spinner, e.g. "probing 6 ICE server URLs". */
  describe(input: Pick<Artifacts, N>): string;
  run(input: Pick<Artifacts, N>, context: PhaseContext): Promise<Partial<Pick<Artifacts, P>>>;
  /** On interruption: what the phase has so far (e.g. the probes that finished), instead of nothing. */
  interrupted?(input: Pick<Artifacts, N>): Partial<Pick<Artifacts, P>>;
}

/** Any phase, for lists: the runner checks needs and produces against each other at the start. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPhase = Phase<any, any>;

/** Declares a phase with its needs and produces inferred, so run() is typed by them. */
export function definePhase<N extends ArtifactKey, P extends ArtifactKey>(phase: Phase<N, P>): Phase<N, P> {
  return phase;
}
