import { DEFAULT_QUALITY_DURATION_MS, MAX_QUALITY_DURATION_MS } from "./defaults.js";
import { ConfigError } from "./errors.js";

/** The `qualityDurationMs` option, validated up front: whole milliseconds, 0 to skip. */
export function validQualityDuration(value: number | undefined): number {
  if (value === undefined) return DEFAULT_QUALITY_DURATION_MS;
  if (!Number.isInteger(value) || value < 0 || value > MAX_QUALITY_DURATION_MS) {
    throw new ConfigError(`{option:qualityDurationMs} must be a whole number of milliseconds from 0 (skip) to ${MAX_QUALITY_DURATION_MS}, not ${String(value).slice(0, 20)}`);
  }
  return value;
}
