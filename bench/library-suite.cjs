#!/usr/bin/env node
'use strict';
/*
 * Runs a library's own test suite twice, without and with tracekit's preload, and compares
 * the results test by test. The agent must change nothing: the same tests pass and fail, and
 * the agent prints nothing. Today's suite is express's (mocha), at a pinned tag.
 *
 *   node bench/library-suite.cjs                       # clones express at the pinned tag
 *   node bench/library-suite.cjs --repo ~/src/express  # a local clone (or mirror) instead
 *   node bench/library-suite.cjs --node /path/to/node24
 *
 * With tracekit the suite exports to a sink in this process (counted, then dropped), so the
 * exporter runs for real. Exit code 0 when both runs agree test by test and tracekit printed
 * nothing; 1 otherwise, with the differences listed.
 */
const { execFileSync, spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, existsSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = resolve(__dirname, '..');
const SUITES = {
  express: {
    url: 'https://github.com/expressjs/express.git',
    tag: 'v5.2.1',
    // The suite's own `npm test`, with the JSON reporter instead of spec.
    mocha: ['--require', 'test/support/env', '--check-leaks', 'test/', 'test/acceptance/'],
  },
};

function parseArgs(argv) {
  const o = { suite: 'express', repo: undefined, tag: undefined, node: process.execPath, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--suite') o.suite = argv[++i];
    else if (a === '--repo') o.repo = resolve(argv[++i]);
    else if (a === '--tag') o.tag = argv[++i];
    else if (a === '--node') o.node = resolve(argv[++i]);
    else if (a === '--keep') o.keep = true;
    else throw new Error(`unknown option ${a} (--suite, --repo DIR, --tag TAG, --node PATH, --keep)`);
  }
  if (SUITES[o.suite] === undefined) throw new Error(`no suite ${o.suite}; known: ${Object.keys(SUITES).join(', ')}`);
  return o;
}

/** A receiver that answers every OTLP export with an empty 200 and counts the requests. */
function startSink() {
  const counts = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (c) => (counts.bytes += c.length));
    req.on('end', () => {
      counts.requests++;
      res.writeHead(200, { 'content-type': req.headers['content-type'] || 'application/x-protobuf' });
      res.end();
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, counts, url: `http://127.0.0.1:${server.address().port}` })));
}

/** Runs mocha with the JSON reporter; resolves to { tests: Map<title, state>, stderr }. */
function runMocha(dir, suite, node, env, label) {
  const out = join(dir, `.results-${label}.json`);
  const mocha = join(dir, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const args = [mocha, '--reporter', 'json', '--reporter-option', `output=${out}`, ...suite.mocha];
  return new Promise((ok, fail) => {
    const child = spawn(node, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', fail);
    child.on('exit', () => {
      if (!existsSync(out)) return fail(new Error(`${label}: mocha wrote no results\n${stderr}`));
      const report = JSON.parse(readFileSync(out, 'utf8'));
      const tests = new Map();
      for (const t of report.passes) tests.set(t.fullTitle, 'passed');
      for (const t of report.failures) tests.set(t.fullTitle, 'failed');
      for (const t of report.pending) tests.set(t.fullTitle, 'skipped');
      ok({ tests, stderr });
    });
  });
}

function summary(tests) {
  const n = { passed: 0, failed: 0, skipped: 0 };
  for (const s of tests.values()) n[s]++;
  return `${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped`;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const suite = SUITES[o.suite];
  const tag = o.tag ?? suite.tag;
  const register = join(ROOT, 'dist', 'agent', 'register-esm.mjs');
  if (!existsSync(register)) throw new Error('build tracekit first: npm run build');
  const dir = mkdtempSync(join(tmpdir(), `tracekit-suite-${o.suite}-`));
  try {
    console.log(`== ${o.suite} ${tag}: cloning into ${dir}`);
    execFileSync('git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', '--depth', '1', '--branch', tag, o.repo ?? suite.url, dir], { stdio: 'inherit' });
    console.log('== installing its dependencies');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });

    const sink = await startSink();
    const base = { ...process.env };
    delete base.NODE_OPTIONS;
    console.log(`== without tracekit (${o.node})`);
    const plain = await runMocha(dir, suite, o.node, base, 'plain');
    console.log(`   ${summary(plain.tests)}`);
    console.log('== with --import tracekit-node/register');
    const traced = await runMocha(dir, suite, o.node, {
      ...base,
      NODE_OPTIONS: `--import ${pathToFileURL(register).href}`,
      TRACEKIT_ENDPOINT: sink.url,
      TRACEKIT_SERVICE_NAME: `suite-${o.suite}`,
      TRACEKIT_SCHEDULE_DELAY: '200',
    }, 'traced');
    console.log(`   ${summary(traced.tests)}; the sink took ${sink.counts.requests} exports (${sink.counts.bytes} bytes)`);
    sink.server.close();

    const differences = [];
    for (const [title, state] of plain.tests) {
      const other = traced.tests.get(title);
      if (other !== state) differences.push(`${title}: ${state} without tracekit, ${other ?? 'missing'} with it`);
    }
    for (const title of traced.tests.keys()) if (!plain.tests.has(title)) differences.push(`${title}: only with tracekit`);
    const agentLines = traced.stderr.split('\n').filter((l) => l.startsWith('[tracekit]'));
    for (const d of differences) console.log(`DIFFERENT ${d}`);
    for (const l of agentLines) console.log(`AGENT SAID ${l}`);
    console.log(`${plain.tests.size} tests compared: ${differences.length} different, ${agentLines.length} lines from tracekit`);
    if (sink.counts.requests === 0) console.log('the agent exported nothing: was the preload loaded?');
    process.exitCode = differences.length === 0 && agentLines.length === 0 && sink.counts.requests > 0 ? 0 : 1;
  } finally {
    if (o.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
