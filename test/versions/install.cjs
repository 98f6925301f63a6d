'use strict';
// Installs the library versions the tests run against, each in its own folder so that it
// loads from a real `node_modules/<name>` path (npm aliases would rename the folder, and
// module hooks match by package folder name). Idempotent: present versions are skipped.
// Usage: node test/versions/install.cjs
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Lowest and newest of each declared range (see src/instrumentations/*.ts). `with` pins a
 * dependency too: express 5.0.0 is tested with the lowest router 2.x it allows.
 */
const VERSIONS = [
  { name: 'express', version: '4.6.0' },
  { name: 'express', version: '4.22.3' },
  { name: 'express', version: '5.0.0', with: ['router@2.0.0'] },
  { name: 'express', version: '5.3.0' },
  // pg 8.x and pg-pool 3.x; the newest pg is the root dev dependency. 8.0.0-8.0.2 never
  // connect on Node 14 and later, so the range starts at 8.0.3. 7.x is out of range.
  { name: 'pg', version: '8.0.3' },
  { name: 'pg', version: '7.18.2' },
  // mysql2: 3.0.0 and 3.19.1 are patched, 3.20+ publishes channels (the root dev dependency,
  // 3.24.5, and 3.20.0, the first); 2.x is out of range.
  { name: 'mysql2', version: '3.0.0' },
  { name: 'mysql2', version: '3.19.1' },
  { name: 'mysql2', version: '3.20.0' },
  { name: 'mysql2', version: '2.3.3' },
];

for (const { name, version, with: extra = [] } of VERSIONS) {
  const dir = join(__dirname, `${name}-${version}`);
  const pkg = join(dir, 'node_modules', name, 'package.json');
  if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === version) continue;
  process.stdout.write(`installing ${name}@${version} ${extra.join(' ')}\n`);
  execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', dir, `${name}@${version}`, ...extra], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
