import type { Artifacts, ArtifactKey } from "./artifacts.js";
import type { AnyPhase, PhaseContext } from "./phase.js";

export interface PhaseEvent {
  phase: string;
  state: "start" | "done";
  /** One short line for a spinner, e.g. "probing 6 ICE server URLs". */
  text: string;
}

export interface RunPhasesOptions {
  signal?: AbortSignal;
  onProgress?(event: PhaseEvent): void;
  onSecrets?(secrets: readonly string[]): void;
}

export interface PhaseOutcome {
  phase: string;
  state: "ran" | "skipped" | "interrupted";
}

export interface RunPhasesResult {
  artifacts: Partial<Artifacts>;
  outcomes: PhaseOutcome[];
}

/** A phase list that cannot run as declared: a bug in whoever assembled it, not bad input. */
export class PhaseGraphError extends Error {
  override readonly name = "PhaseGraphError";
}

/** Every need is given or produced by exactly one phase, and no phase waits on itself through others. */
function validate(phases: readonly AnyPhase[], given: ReadonlySet<ArtifactKey>): Map<ArtifactKey, AnyPhase> {
  const producer = new Map<ArtifactKey, AnyPhase>();
  for (const phase of phases) {
    for (const key of phase.produces as ArtifactKey[]) {
      const other = producer.get(key);
      if (other || given.has(key)) throw new PhaseGraphError(`'${key}' is produced by ${other ? `both '${other.name}' and '${phase.name}'` : `'${phase.name}' but also given`}`);
      producer.set(key, phase);
    }
  }
  for (const phase of phases) {
    for (const key of phase.needs as ArtifactKey[]) {
      if (!given.has(key) && !producer.has(key)) throw new PhaseGraphError(`phase '${phase.name}' needs '${key}', which no phase produces`);
    }
  }
  const state = new Map<AnyPhase, "visiting" | "done">();
  const visit = (phase: AnyPhase, path: string[]): void => {
    if (state.get(phase) === "done") return;
    if (state.get(phase) === "visiting") throw new PhaseGraphError(`phases depend on each other in a cycle: ${[...path, phase.name].join(" -> ")}`);
    state.set(phase, "visiting");
    for (const key of phase.needs as ArtifactKey[]) {
      const dep = producer.get(key);
      if (dep) visit(dep, [...path, phase.name]);
    }
    state.set(phase, "done");
  };
  for (const phase of phases) visit(phase, []);
  return producer;
}

function pick(artifacts: Partial<Artifacts>, keys: readonly ArtifactKey[]): Partial<Artifacts> {
  return Object.fromEntries(keys.filter((k) => artifacts[k] !== undefined).map((k) => [k, artifacts[k]]));
}

/**
 * Runs phases as soon as what they need is there, every ready phase at once. Abort is handled here
 * and only here: no phase starts after it, and running ones are not waited for (each gives what it
 * has through `interrupted`). Progress events come in start/done pairs for the phases that ran.
 */
export async function runPhases(phases: readonly AnyPhase[], given: Partial<Artifacts>, options: RunPhasesOptions = {}): Promise<RunPhasesResult> {
  const givenKeys = new Set((Object.keys(given) as ArtifactKey[]).filter((k) => given[k] !== undefined));
  const producer = validate(phases, givenKeys);
  const artifacts: Partial<Artifacts> = { ...given };
  const outcomes = new Map<AnyPhase, PhaseOutcome>();
  const signal = options.signal ?? new AbortController().signal;
  const context: PhaseContext = { signal, secrets: (values) => options.onSecrets?.(values) };
  const running = new Set<AnyPhase>();

  return new Promise<RunPhasesResult>((resolve, reject) => {
    let failed = false;
    const finish = () => {
      if (running.size > 0 || failed) return;
      signal.removeEventListener("abort", onAbort);
      resolve({ artifacts, outcomes: phases.map((p) => outcomes.get(p) ?? { phase: p.name, state: "skipped" }) });
    };
    const settled = (key: ArtifactKey) => {
      const p = producer.get(key);
      return !p || outcomes.has(p);
    };
    const schedule = () => {
      let progressed = true;
      while (progressed) {
        progressed = false;
        for (const phase of phases) {
          if (outcomes.has(phase) || running.has(phase)) continue;
          const needs = phase.needs as ArtifactKey[];
          if (!needs.every(settled)) continue;
          const input = pick(artifacts, needs);
          const ready = needs.every((k) => artifacts[k] !== undefined) && (phase.applies?.(input) ?? true);
          if (ready && signal.aborted) {
            // Never started: what it would have covered is still reported, as interrupted.
            store(phase, phase.interrupted?.(input) ?? {});
            outcomes.set(phase, { phase: phase.name, state: "interrupted" });
            progressed = true;
          } else if (!ready) {
            outcomes.set(phase, { phase: phase.name, state: "skipped" });
            progressed = true;
          } else {
            start(phase, input);
          }
        }
      }
      finish();
    };
    const complete = (phase: AnyPhase, output: Partial<Artifacts>, state: PhaseOutcome["state"]) => {
      if (!running.delete(phase)) return;
      store(phase, output);
      outcomes.set(phase, { phase: phase.name, state });
      options.onProgress?.({ phase: phase.name, state: "done", text: texts.get(phase) ?? "" });
      schedule();
    };
    const store = (phase: AnyPhase, output: Partial<Artifacts>) => {
      for (const key of phase.produces as ArtifactKey[]) {
        const value = output[key];
        if (value !== undefined) (artifacts as Record<string, unknown>)[key] = value;
      }
    };
    const texts = new Map<AnyPhase, string>();
    const start = (phase: AnyPhase, input: Partial<Artifacts>) => {
      running.add(phase);
      const text = phase.describe(input);
      texts.set(phase, text);
      options.onProgress?.({ phase: phase.name, state: "start", text });
      phase.run(input, context).then(
        (output: Partial<Artifacts>) => complete(phase, output, "ran"),
        (error: unknown) => {
          if (!running.has(phase)) return;
          failed = true;
          running.clear();
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      );
    };
    const onAbort = () => {
      for (const phase of [...running]) complete(phase, phase.interrupted?.(pick(artifacts, phase.needs as ArtifactKey[])) ?? {}, "interrupted");
    };
    signal.addEventListener("abort", onAbort, { once: true });
    schedule();
  });
}
