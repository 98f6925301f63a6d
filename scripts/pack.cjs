#!/usr/bin/env node
'use strict';
// Packs both packages into one folder: `node scripts/pack.cjs [DIR]` (default: ./packages-out).
// tracekit-node (the agent) is the repository's root package; tracekit-collector lives in
// collector/ and is staged from the same build (scripts/stage-collector.cjs).
const { execFileSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = join(__dirname, '..');
const out = resolve(process.argv[2] ?? join(ROOT, 'packages-out'));
mkdirSync(out, { recursive: true });
for (const dir of [ROOT, join(ROOT, 'collector')]) {
  const made = execFileSync('npm', ['pack', '--pack-destination', out, '--loglevel=error'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(join(out, made));
}
