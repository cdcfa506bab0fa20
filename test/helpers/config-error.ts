import { ConfigError } from "../../src/config/errors.js";
import { cliOptionName } from "../../src/cli/option-flags.js";

/** The ConfigError `run` throws, as the CLI prints it (flags) and as the API reads it (option names). */
export function configError(run: () => unknown): { cli: string; api: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return { cli: error.messageFor(cliOptionName), api: error.message };
    throw error;
  }
  throw new Error("no ConfigError was thrown");
}
