#!/usr/bin/env node
'use strict';
/*
 * What the route inventory costs at start-up: the time an express app takes to register its
 * routes, without the agent and under it (each registration takes a stack capture for its
 * declaration site). Alternates the two, ROUNDS times each, and prints medians.
 *
 *   node bench/route-registration.cjs [--routes 500] [--rounds 7] [--node /path/to/node]
 */
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const { option, median } = require('./args.cjs');

const ROOT = join(__dirname, '..');
const ROUTES = Number(option('routes', '500'));
const ROUNDS = Number(option('rounds', '7'));
const NODE = option('node', process.execPath);

// The child: 10 routers of ROUTES/10 routes each, mounted on an app; prints the milliseconds.
const CHILD = `
const express = require('express');
const t = performance.now();
const app = express();
for (let r = 0; r < 10; r++) {
  const router = express.Router();
  for (let i = 0; i < ${Math.ceil(ROUTES / 10)}; i++) router.get('/item' + i + '/:id', function handler(req, res) { res.end(); });
  app.use('/area' + r, router);
}
process.stdout.write(String(performance.now() - t));
`;

function once(agent) {
  const flags = agent ? ['--import', 'tracekit-node/register'] : [];
  const env = { ...process.env, TRACEKIT_ENDPOINT: 'http://127.0.0.1:9', TRACEKIT_LOG_LEVEL: 'error' };
  return Number(execFileSync(NODE, [...flags, '-e', CHILD], { cwd: ROOT, env, encoding: 'utf8' }));
}

const base = [];
const agent = [];
for (let i = 0; i < ROUNDS; i++) {
  base.push(once(false));
  agent.push(once(true));
}
const b = median(base);
const a = median(agent);
console.log(`node ${execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()}, ${ROUTES} routes in 10 routers, ${ROUNDS} rounds`);
console.log(`registration without the agent: ${b.toFixed(1)} ms; with it: ${a.toFixed(1)} ms; +${(a - b).toFixed(1)} ms (${(((a - b) * 1000) / ROUTES).toFixed(1)} µs per route)`);
