#!/usr/bin/env node
// jarsync runs from its TypeScript sources: Node strips the types itself from
// version 24 on (for files outside node_modules). An older Node would fail
// with a syntax error, so say what is wrong instead.
import process from 'node:process';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`jarsync: needs Node 24 or newer; this is Node ${process.versions.node}. Run it through npm (npx jarsync, npm start), which uses the project's own Node.\n`);
  process.exit(1);
}
await import('../src/cli.ts');
