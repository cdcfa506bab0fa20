export { diagnose, type Diagnosis, type DiagnoseOptions } from "./diagnose.js";
export { isFailing, failsAt, type FailOn } from "./pass-fail.js";
export { summarise, type ReportSummary } from "./summary.js";
export { deriveVerdict } from "./verdict.js";
export { evaluateExpectations } from "./expectations.js";
export type { Verdict, VerdictCell, PeerProfile, Reach } from "./verdict-types.js";
