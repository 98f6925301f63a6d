'use strict';
// A minimal OTLP receiver for benchmarks: reads each body and answers 200, no decoding, so it
// costs the machine as little as a real collector's ingest path could.
//
// With SINK_BREAKPOINT=FILE:LINE[:INTERVAL_MS] it also answers the live-debugging agent
// endpoint (docs/debugging.md, "Agent protocol") like a collector holding one file:line
// breakpoint for the service SINK_BREAKPOINT_SERVICE (default bench-breakpoint), and counts
// the hits the agents report; other services get an empty list.
const http = require('node:http');

const AGENT_PATH = '/api/debug/agent';
const BREAKPOINT = process.env.SINK_BREAKPOINT ? /^(.+?):(\d+)(?::(\d+))?$/.exec(process.env.SINK_BREAKPOINT) : null;
const BREAKPOINT_SERVICE = process.env.SINK_BREAKPOINT_SERVICE || 'bench-breakpoint';

let bytes = 0;
let posts = 0;
/** instance → hits it last reported for the breakpoint. */
const hits = new Map();

function breakpointsFor(service) {
  if (!BREAKPOINT || service !== BREAKPOINT_SERVICE) return [];
  const [, file, line, interval] = BREAKPOINT;
  return [{ id: 'bp_bench', kind: 'line', file, line: Number(line), intervalMs: Number(interval || 1000), maxHits: 1e9, expiresAtMs: Date.now() + 864e5 }];
}

function agentPoll(req, res, url) {
  const answer = JSON.stringify({ version: 'bench:1', breakpoints: breakpointsFor(url.searchParams.get('service')) });
  const send = () => {
    if (res.writableEnded) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer);
  };
  // Nothing changes here, so a poll that already has this version is held as long as it asks.
  if (url.searchParams.get('version') !== 'bench:1') return send();
  const t = setTimeout(send, Number(url.searchParams.get('wait') || 25000));
  res.on('close', () => clearTimeout(t));
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://sink');
  if (url.pathname === AGENT_PATH && req.method === 'GET') return agentPoll(req, res, url);
  let body = '';
  const isAgent = url.pathname === AGENT_PATH;
  req.on('data', (c) => {
    bytes += c.length;
    if (isAgent) body += c;
  });
  req.on('end', () => {
    posts++;
    if (isAgent) {
      const report = JSON.parse(body);
      for (const s of report.states || []) {
        if (s.id !== 'bp_bench') continue;
        hits.set(report.instance, s.hits);
        if (s.state === 'error') console.error(`breakpoint error in ${report.instance}: ${s.message}`);
      }
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
process.on('SIGTERM', () => {
  console.log(`SINK ${posts} ${bytes}${BREAKPOINT ? ` breakpoint hits ${[...hits.values()].reduce((a, b) => a + b, 0)}` : ''}`);
  process.exit(0);
});
