import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/errors.js";
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from "../report/exit-code.js";
import { TOOL_VERSION } from "../version.js";
import { checkCommand } from "./check-command.js";
import { explainCommand } from "./explain-command.js";
import { serveCommand } from "./serve-command.js";
import { exporterCommand } from "./exporter-command.js";
import { earlyOutput } from "./early-scrub.js";
import { cliOptionName } from "./option-flags.js";

/** Runs the CLI and returns the exit code; never throws for bad input. */
export async function main(argv: string[]): Promise<number> {
  const out = earlyOutput(argv);
  let exitCode = EXIT_OK;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command("rtc-doctor")
    .description("Tells you whether WebRTC will connect from where it runs, and if not, exactly why.")
    .version(TOOL_VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => out.stdout(s),
      writeErr: (s) => out.stderr(s),
      outputError: (s, write) => write(s.replace(/^error: /, "rtc-doctor: ")),
    });
  program.addCommand(checkCommand(out, setExit), { isDefault: true });
  program.addCommand(explainCommand(out, setExit));
  program.addCommand(serveCommand(out, setExit));
  program.addCommand(exporterCommand(out, setExit));
  for (const command of program.commands) {
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => out.stdout(s),
      writeErr: (s) => out.stderr(s),
      outputError: (s, write) => write(s.replace(/^error: /, "rtc-doctor: ")),
    });
  }
  program.exitOverride();

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help"
        ? EXIT_OK
        : EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      out.stderr(`rtc-doctor: ${error.messageFor(cliOptionName)}\n`);
      return EXIT_USAGE;
    }
    out.stderr(`rtc-doctor: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
