#!/usr/bin/env node
'use strict';
// Writes the README's "Supported versions" rows from the instrumentations' own declarations
// (the built registry's SUPPORTED_LIBRARIES) and the versions the tests install
// (test/versions/install.cjs, plus the root dev dependency for the newest). The table sits
// between two markers in the README. `--check` changes nothing and exits 1 when it is stale
// (test/readme.test.ts runs that). Run after `npm run build`.
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const README = join(ROOT, 'README.md');
const START = '<!-- supported-versions:start (made by scripts/readme-tables.cjs) -->';
const END = '<!-- supported-versions:end -->';

function compare(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** The versions of `library` the tests install that fall inside `range`, lowest first. */
function tested(library, range) {
  const { VERSIONS } = require(join(ROOT, 'test', 'versions', 'install.cjs'));
  const { satisfies } = require(join(ROOT, 'dist', 'instrumentations', 'version-range.js'));
  const found = new Set();
  for (const v of VERSIONS) {
    if (v.name === library) found.add(v.version);
    for (const w of v.with ?? []) {
      const at = w.lastIndexOf('@');
      if (w.slice(0, at) === library) found.add(w.slice(at + 1));
    }
  }
  const root = join(ROOT, 'node_modules', library, 'package.json');
  if (existsSync(root)) found.add(JSON.parse(readFileSync(root, 'utf8')).version);
  return [...found].filter((v) => satisfies(v, range)).sort(compare);
}

/** The table's Markdown. */
function table() {
  const { SUPPORTED_LIBRARIES } = require(join(ROOT, 'dist', 'instrumentations', 'registry.js'));
  const rows = ['| library | versions | tested | how | switch |', '|---|---|---|---|---|'];
  for (const lib of SUPPORTED_LIBRARIES) {
    const versions = lib.versions === undefined ? 'built in' : `\`${lib.versions}\``;
    const testedVersions = lib.versions === undefined ? '' : tested(lib.library, lib.versions).join(', ');
    rows.push(`| ${lib.library} | ${versions} | ${testedVersions} | ${lib.how} | \`${lib.instrumentation}\` |`);
  }
  return rows.join('\n');
}

function main() {
  if (!existsSync(join(ROOT, 'dist', 'instrumentations', 'registry.js'))) throw new Error('run npm run build first');
  const text = readFileSync(README, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a === -1 || b === -1 || b < a) throw new Error(`README.md has no ${START} ... ${END} block`);
  const next = `${text.slice(0, a + START.length)}\n${table()}\n${text.slice(b)}`;
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('README.md: the supported-versions table is stale; run node scripts/readme-tables.cjs');
      process.exitCode = 1;
    }
    return;
  }
  if (next !== text) writeFileSync(README, next);
}

module.exports = { table };
if (require.main === module) main();
