/**
 * jarsync's command-line entry point (`node src/cli.ts`, or bin/jarsync.js).
 * The one place, with src/cli/, that reads argv and decides how the process
 * ends; everything it runs is in src/cli/run-cli.ts.
 */
import { runCli } from './cli/run-cli.ts';

// `jarsync cookies | head -1` closes the pipe early: that is the reader's choice, not a failure to report.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});
process.exitCode = code;
// The process normally ends by itself once everything is closed; this timer,
// which does not keep it alive, ends it if a stray handle would not.
setTimeout(() => process.exit(code), 1_000).unref();
