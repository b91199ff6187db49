#!/usr/bin/env node
'use strict';
// `npx gardefou …`: runs the platform's binary with the same arguments, stdio and exit code.

const { spawnSync } = require('child_process');
const { binaryPath } = require('../lib/binary');

let exe;
try {
  exe = binaryPath();
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(2);
}
const r = spawnSync(exe, process.argv.slice(2), { stdio: 'inherit' });
if (r.error) {
  process.stderr.write(`gardefou: cannot start the binary (${r.error.code || 'error'})\n`);
  process.exit(2);
}
if (r.signal) process.kill(process.pid, r.signal);
process.exit(r.status === null ? 2 : r.status);
