/**
 * Where a command writes and what it reads of its environment: the process's
 * streams and variables in `jarsync`, anything a test likes in-process.
 */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}
