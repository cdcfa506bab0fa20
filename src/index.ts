/**
 * rtc-doctor as a library: the same check and diagnosis as the CLI, returning the typed report
 * (the JSON the CLI prints, schema/report.schema.json). The CLI is a thin layer over these.
 *
 *   import { check, explain } from "rtc-doctor";
 *   const report = await check({ turn: ["turn:turn.example.net:3478"], username, credential, expect: ["relay"] });
 *   if (!report.summary.passed) console.log(report.findings[0]?.explanation);
 */
export { check, resolveTargets, DEFAULT_CONNECT_PARALLELISM, type CheckOptions, type CheckPhase, type ProgressEvent } from "./check.js";
export { definePhase, type Phase, type AnyPhase, type PhaseContext } from "./pipeline/phase.js";
export { runPhases, PhaseGraphError, type PhaseEvent, type RunPhasesResult, type PhaseOutcome } from "./pipeline/run-phases.js";
export type { Artifacts, ArtifactKey } from "./pipeline/artifacts.js";
export { defaultPhases } from "./phases/default-phases.js";
export type { PhaseSettings } from "./phases/settings.js";
export { explain, factsFromInput, type ExplainOptions, type ExplainResult, type ExplainInputKind } from "./explain/explain.js";
export { ConfigError } from "./config/errors.js";
export { ExplainInputError } from "./explain/errors.js";
export type { ServerInputs, ResolvedServers } from "./config/ice-servers.js";
export type { RTCIceServerInput, RTCIceServerLike, IceServerTarget, IceUrl } from "./config/types.js";
export { parseIceUrl } from "./config/ice-url.js";
export { parseExpectation, EXPECTATION_SYNTAX, type Expectation } from "./config/expectations.js";
export { mintTurnRestCredential, type MintOptions, type RestCredential } from "./config/turn-rest.js";
export {
  render,
  FORMATS,
  exitCodeFor,
  SCHEMA_VERSION,
  type Format,
  type RenderOptions,
  type Report,
  type ReportSummary,
  type FailOn,
} from "./report/index.js";
export { AddressRedactor } from "./report/redact-addresses.js";
export {
  rules,
  runRules,
  defineRule,
  type Rule,
  type RuleHit,
  type RuleMessage,
  type FactKey,
  type Finding,
  type Evidence,
  type Severity,
  type OptionNamer,
} from "./rules/index.js";
export { diagnose, type Diagnosis, type DiagnoseOptions, type Verdict } from "./diagnose/index.js";
export { natReasonWords } from "./rules/nat-reasons.js";
export type * from "./facts/index.js";
