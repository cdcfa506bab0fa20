import { InvalidArgumentError } from "commander";

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A whole number from 0 (which switches the measurement off) to `max`. */
export function nonNegativeInt(name: string, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) > max) throw new InvalidArgumentError(`${name} must be a whole number from 0 to ${max}`);
    return Number(value);
  };
}

export function positiveInt(name: string, max = 600_000) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    }
    return Number(value);
  };
}
