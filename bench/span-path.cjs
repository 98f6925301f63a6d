'use strict';
// The span work of one request with the agent's own code and nothing else: no server, no
// sockets, no app. A loop makes, fills, ends and encodes the spans a request of the bench app
// makes (`--shape pg`: the server span, the express handler span and three PostgreSQL query
// spans with the request's query statistics; `--shape hello`: the server and handler spans),
// through the same functions the instrumentations call (startQuery/endQuery, the request state,
// the server span's blocks and statistics, the exporter's batch encoding).
//
// What it measures is that work with its code and data hot in the caches, as a tight loop
// keeps them. Inside the app the same work runs once per request between the app's own code,
// so it costs more: compare with the agent's share in bench/profile.cjs. The two figures
// together say how much of the agent's cost is its instructions and how much is running cold
// (bench/README.md, "Per span, hot and in the app").
//
// Usage: NODE bench/span-path.cjs [--shape pg|hello] [--rounds 9] [--requests 100000] [--dist DIR]
//   --dist: the build to measure (default: this checkout's dist), to compare two builds.
// Prints the median ns per request with encoding, and without it (ended spans dropped).
const { join, resolve } = require('node:path');
const { option, median } = require('./args.cjs');

const DIST = resolve(option('dist', join(__dirname, '..', 'dist')));
const SHAPE = option('shape', 'pg');
const ROUNDS = Number(option('rounds', 9));
const REQUESTS = Number(option('requests', 100000));

const { trace, SpanKind } = require(require.resolve('@opentelemetry/api', { paths: [DIST] }));
const { Tracer } = require(join(DIST, 'tracer/tracer.js'));
const { setSpanEndHandler } = require(join(DIST, 'tracer/span.js'));
const { attributeBlock, applyBlock } = require(join(DIST, 'tracer/attribute-block.js'));
const { EMPTY_CONTEXT } = require(join(DIST, 'tracer/context.js'));
const { ProtoTraceBatch } = require(join(DIST, 'otlp/trace-batch.js'));
const { startQuery, endQuery } = require(join(DIST, 'instrumentations/db-query.js'));
const { keepTarget } = require(join(DIST, 'instrumentations/query-attributes.js'));
const { RequestState, REQUEST_STATE_KEY } = require(join(DIST, 'instrumentations/request-state.js'));
const { concludeRequest, setRequestStatsAttributes } = require(join(DIST, 'instrumentations/request-stats.js'));
const { ServerSpanTails } = require(join(DIST, 'instrumentations/server-span-tail.js'));

const tracer = new Tracer({ rate: 1 }, 'tracekit', '0.1.0');
const batch = new ProtoTraceBatch();
let encode = true;
setSpanEndHandler((span) => {
  if (!encode) return;
  batch.add(span);
  if (batch.spans >= 2048) batch.reset();
});

// What http-server.ts and express.ts give these spans (their key lists are not exported).
const connection = attributeBlock(
  ['url.scheme', 'server.address', 'server.port', 'client.address', 'user_agent.original', 'network.protocol.version'],
  ['http', '127.0.0.1', 3000, '127.0.0.1', 'wrk', '1.1'],
);
const route = SHAPE === 'pg' ? '/pg' : '/';
const handlerBlock = attributeBlock(['express.type', 'code.function.name', 'http.route'], ['request_handler', '<anonymous>', route]);
const tails = new ServerSpanTails();
const target = keepTarget({ system: 'postgresql', dialect: 'postgresql', namespace: 'test', address: '127.0.0.1', port: 5432 });
// The bench app's three statements (fixtures/bench-express.cjs).
const statements = ['SELECT $1::int AS n', 'SELECT count(*)::int AS c FROM pg_class WHERE relkind = $1', "SELECT now() AS t, 'x' AS s"];
const SERVER = Object.freeze({ kind: SpanKind.SERVER });
const serverName = `GET ${route}`;

function request() {
  const server = tracer.startSpan('GET', SERVER, EMPTY_CONTEXT);
  const state = new RequestState(server, 'GET', server.startMs);
  applyBlock(server, connection);
  server.setAttribute('url.path', route);
  const ctx = trace.setSpan(EMPTY_CONTEXT, server).setValue(REQUEST_STATE_KEY, state);
  state.route = route;
  const handler = tracer.startSpan('handler <anonymous>', undefined, ctx);
  applyBlock(handler, handlerBlock);
  state.addPending(handler);
  if (SHAPE === 'pg') {
    const handlerCtx = trace.setSpan(ctx, handler);
    for (const sql of statements) {
      const call = startQuery(tracer, sql, target, handlerCtx);
      endQuery(call, undefined, 1);
    }
  }
  state.statusCode = 200;
  concludeRequest(state, 10);
  server.updateName(serverName);
  applyBlock(server, tails.blockFor(state.route, state.method, state.statusCode));
  setRequestStatsAttributes(server, state);
  state.endPending();
  server.end();
}

function nsPerRequest() {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) request();
  return Number(process.hrtime.bigint() - t0) / REQUESTS;
}

const results = {};
for (const withEncoding of [true, false]) {
  encode = withEncoding;
  nsPerRequest(); // warm-up: the JIT settles
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(nsPerRequest());
  results[withEncoding ? 'encoded' : 'not encoded'] = rounds;
}
console.log(`span path of a ${SHAPE === 'pg' ? '/pg' : 'hello-world'} request, Node ${process.versions.node}, ${DIST}`);
for (const [name, rounds] of Object.entries(results)) {
  const s = [...rounds].sort((a, b) => a - b);
  console.log(`  ${name.padEnd(12)} ${median(rounds).toFixed(0)} ns per request (lowest ${s[0].toFixed(0)}, highest ${s[s.length - 1].toFixed(0)})`);
}
