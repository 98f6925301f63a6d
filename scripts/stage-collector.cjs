#!/usr/bin/env node
'use strict';
// Puts the collector package's files in place before `npm pack` (its prepack): the parts of the
// one build that the collector runs (the CLI, the collector, the dashboard's bundle, and the
// shared modules they import) are copied from dist/ into collector/dist, with the command into
// collector/bin, and the license beside them. Builds first when dist/ is missing (a fresh
// clone after `npm ci`). Both packages come from one source tree and one build.
const { execFileSync } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'collector');
const PARTS = ['cli', 'collector', 'shared', 'ui'];

if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')) || !existsSync(join(ROOT, 'dist', 'ui'))) {
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
rmSync(join(OUT, 'dist'), { recursive: true, force: true });
rmSync(join(OUT, 'bin'), { recursive: true, force: true });
for (const part of PARTS) cpSync(join(ROOT, 'dist', part), join(OUT, 'dist', part), { recursive: true });
mkdirSync(join(OUT, 'bin'));
cpSync(join(ROOT, 'bin', 'tracekit'), join(OUT, 'bin', 'tracekit'));
cpSync(join(ROOT, 'LICENSE'), join(OUT, 'LICENSE'));
