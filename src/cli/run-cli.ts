/**
 * The CLI's dispatcher: parses the arguments, runs the command, and turns
 * every failure into a message and an exit code:
 *
 *   0  success
 *   1  a failure while running (a port in use, an unreadable jar), or `wait` timed out
 *   2  a bad command line (unknown flag, bad value or domain), the usage line follows
 */
import packageJson from '../../package.json' with { type: 'json' };
import { JarsyncError, type ErrorCode } from '../errors.ts';
import { runCa } from './ca-command.ts';
import type { CliIo } from './cli-io.ts';
import { runCookies } from './cookies-command.ts';
import { COMMANDS, parseArgs } from './parse-args.ts';
import { runStart } from './start-command.ts';
import { runWait } from './wait-command.ts';
import { helpText, USAGE_LINES } from './usage.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Codes that mean the command line itself is wrong. */
const USAGE_ERRORS: ReadonlySet<ErrorCode> = new Set(['JARSYNC_ERR_BAD_OPTION', 'JARSYNC_ERR_UNKNOWN_OPTION', 'JARSYNC_ERR_BAD_DOMAIN']);

/** Runs one command line (the arguments after the program name) and resolves with its exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseArgs(argv, io.env);
    switch (command.kind) {
      case 'help':
        io.stdout(helpText(command.topic));
        return EXIT_OK;
      case 'version':
        io.stdout(`jarsync ${packageJson.version}\n`);
        return EXIT_OK;
      case 'start':
        return await runStart(command, io);
      case 'cookies':
        return await runCookies(command, io);
      case 'ca':
        return await runCa(command, io);
      case 'wait':
        return await runWait(command, io);
    }
  } catch (error) {
    io.stderr(`jarsync: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof JarsyncError && USAGE_ERRORS.has(error.code)) {
      const command = COMMANDS.find((name) => name === argv[0]);
      io.stderr(`${USAGE_LINES[command ?? 'jarsync']}\n`);
      return EXIT_USAGE;
    }
    return EXIT_FAILURE;
  }
}
