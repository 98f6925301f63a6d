'use strict';
// Installs the library versions the tests run against, each in its own folder so that it
// loads from a real `node_modules/<name>` path (npm aliases would rename the folder), and the
// Node 22 and 24 binaries the suite also runs on (the registry's `node` package), each in
// test/versions/node-<major>: never in the project's node_modules, whose .bin would put that
// `node` ahead of the user's in every npm script. Idempotent: present versions are skipped.
// Usage: node test/versions/install.cjs
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Lowest and newest of each declared range (the `supports` of src/instrumentations/*.ts), and
 * one version outside some ranges. `with` pins a dependency too: express 5.0.0 is tested with
 * the lowest router 2.x it allows. A declared lowest version missing here is added from the
 * declarations (see declaredLowest), so a range can never start below what is installed.
 */
const VERSIONS = [
  { name: 'express', version: '4.6.0' },
  { name: 'express', version: '4.22.3' },
  { name: 'express', version: '5.0.0', with: ['router@2.0.0'] },
  { name: 'express', version: '5.3.0' },
  // Loggers: the lowest and newest of each declared range.
  { name: 'pino', version: '9.0.0' },
  { name: 'pino', version: '10.4.0' },
  { name: 'winston', version: '3.8.0' },
  { name: 'winston', version: '3.19.0' },
  // pg 8.x and pg-pool 3.x (3.1.1 is the lowest pg 8 depends on); the newest of both are the
  // root dev dependency. 8.0.0-8.0.2 never
  // connect on Node 14 and later, so the range starts at 8.0.3. 7.x is out of range.
  { name: 'pg', version: '8.0.3', with: ['pg-pool@3.1.1'] },
  { name: 'pg', version: '7.18.2' },
  // mysql2: 3.0.0 and 3.19.1 are patched, 3.20+ publishes channels (the root dev dependency,
  // 3.24.5, and 3.20.0, the first); 2.x is out of range.
  { name: 'mysql2', version: '3.0.0' },
  { name: 'mysql2', version: '3.19.1' },
  { name: 'mysql2', version: '3.20.0' },
  { name: 'mysql2', version: '2.3.3' },
  // Prisma with the pg driver adapter and the client engine (no Rust engine to download):
  // 6.16.0 is the first 6.x with `engineType = "client"`, 6.19.3 the last 6.x; 7.0.0 and
  // 7.10.0 the first and newest 7.x. Each gets a client generated from fixtures/prisma.
  { name: 'prisma', version: '6.16.0', with: ['@prisma/client@6.16.0', '@prisma/adapter-pg@6.16.0', 'pg@8.16.3'], prisma: 6 },
  { name: 'prisma', version: '6.19.3', with: ['@prisma/client@6.19.3', '@prisma/adapter-pg@6.19.3', 'pg@8.16.3'], prisma: 6 },
  { name: 'prisma', version: '7.0.0', with: ['@prisma/client@7.0.0', '@prisma/adapter-pg@7.0.0', 'pg@8.16.3'], prisma: 7 },
  { name: 'prisma', version: '7.10.0', with: ['@prisma/client@7.10.0', '@prisma/adapter-pg@7.10.0', 'pg@8.16.3'], prisma: 7 },
];

/** The other Node lines the suite runs key tests on (test/helpers/app.ts finds them here). */
const NODE_LINES = [
  { major: 22, version: '22.23.3' },
  { major: 24, version: '24.21.0' },
];

/** The path of the Node binary of a line installed by this script. */
function nodeBinary(major) {
  return join(__dirname, `node-${major}`, 'node_modules', 'node', 'bin', 'node');
}

function installNodeLines() {
  const { mkdirSync, writeFileSync } = require('node:fs');
  for (const { major, version } of NODE_LINES) {
    const dir = join(__dirname, `node-${major}`);
    const pkg = join(dir, 'node_modules', 'node', 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === version && existsSync(nodeBinary(major))) continue;
    process.stdout.write(`installing node@${version}\n`);
    mkdirSync(dir, { recursive: true });
    // The package's install script fetches the binary for this platform from the npm registry.
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`);
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', dir, `node@${version}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

/** Writes the fixture schema next to a Prisma install and generates its client offline. */
function generatePrisma(dir, major) {
  const { mkdirSync, writeFileSync } = require('node:fs');
  let schema = readFileSync(join(__dirname, '..', '..', 'fixtures', 'prisma', 'schema.prisma'), 'utf8');
  if (major === 6) {
    schema = schema
      .replace('provider = "prisma-client-js"', 'provider = "prisma-client-js"\n  engineType = "client"\n  previewFeatures = ["driverAdapters"]')
      .replace('provider = "postgresql"', 'provider = "postgresql"\n  url      = "postgresql://postgres@127.0.0.1:5432/test"');
  }
  mkdirSync(join(dir, 'prisma'), { recursive: true });
  writeFileSync(join(dir, 'prisma', 'schema.prisma'), schema);
  execFileSync(process.execPath, [join(dir, 'node_modules', 'prisma', 'build', 'index.js'), 'generate', '--schema', join(dir, 'prisma', 'schema.prisma')], {
    cwd: dir,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** `>=4.6.0 <5` → `4.6.0`. */
function lowestOf(range) {
  return /^>=\s*(\d+\.\d+\.\d+)/.exec(range)?.[1];
}

/** Whether `library@version` is installed by an entry of VERSIONS, itself or as a `with`. */
function listed(library, version) {
  return VERSIONS.some((v) => (v.name === library && v.version === version) || (v.with ?? []).includes(`${library}@${version}`));
}

/**
 * The lowest version of every range the built agent declares (dist/, so run after the build),
 * as entries to add to VERSIONS when they are not in it.
 */
function declaredLowest() {
  const registry = join(__dirname, '..', '..', 'dist', 'instrumentations', 'registry.js');
  if (!existsSync(registry)) throw new Error('build tracekit first (npm run build): the declared ranges are read from dist/');
  const missing = [];
  for (const lib of require(registry).SUPPORTED_LIBRARIES) {
    const lowest = lib.versions === undefined ? undefined : lowestOf(lib.versions);
    if (lowest !== undefined && !listed(lib.library, lowest)) missing.push({ name: lib.library, version: lowest });
  }
  return missing;
}

function install() {
  installNodeLines();
  for (const { name, version, with: extra = [], prisma } of [...VERSIONS, ...declaredLowest()]) {
    const dir = join(__dirname, `${name}-${version}`);
    const pkg = join(dir, 'node_modules', name, 'package.json');
    const generated = prisma === undefined || existsSync(join(dir, 'generated', 'client', 'index.js'));
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === version && generated) continue;
    process.stdout.write(`installing ${name}@${version} ${extra.join(' ')}\n`);
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', dir, `${name}@${version}`, ...extra], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (prisma !== undefined) generatePrisma(dir, prisma);
  }
}

module.exports = { VERSIONS, NODE_LINES, listed, lowestOf };
if (require.main === module) install();
