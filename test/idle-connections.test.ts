/**
 * A keep-alive connection left idle does not keep the last request it served alive through
 * tracekit's context (docs/agent.md, "Idle connections"): Node re-arms the connection's
 * keep-alive timer inside that request's context, and the agent takes its context off the timer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, NODES, get, startApp } from './helpers/app';
import { OtlpReceiver } from './helpers/otlp-receiver';

/** GET `url` through `agent` (keep-alive), and the body. */
function getVia(agent: http.Agent, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

for (const node of NODES) {
  describe(`idle keep-alive connections on ${node.name}`, () => {
    it('do not keep the server span of the request they served last', async () => {
      const receiver = new OtlpReceiver();
      await receiver.start();
      const app = await startApp('idle-keepalive.cjs', { node: node.bin, nodeFlags: ['--expose-gc'], env: { TRACEKIT_ENDPOINT: receiver.url } });
      // Five connections, one request each, all left open and idle.
      const agents = Array.from({ length: 5 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
      try {
        const bodies = await Promise.all(agents.map((a) => getVia(a, `${app.url}/track`)));
        assert.deepEqual(bodies, Array(5).fill('tracked'), 'each /track request ran inside its server span');
        await receiver.waitFor(() => receiver.spans.filter((s) => s.attributes['url.path'] === '/track').length === 5, 10000, 'the five /track spans');
        const openSockets = agents.reduce((n, a) => n + Object.values(a.freeSockets).flat().length, 0);
        assert.equal(openSockets, 5, 'the five connections are still open, idle in their agents');
        // Asked until none is alive, for up to 5 s. The connection whose response finished last is
        // let go when the next response finishes (the first /check's), and Node's Date header timer
        // may hold one request for up to 1 s.
        let check = { tracked: 0, alive: -1 };
        for (const started = Date.now(); Date.now() - started < 5000; await new Promise((r) => setTimeout(r, 250))) {
          check = JSON.parse((await get(`${app.url}/check`)).body) as { tracked: number; alive: number };
          if (check.alive === 0) break;
        }
        assert.deepEqual(check, { tracked: 5, alive: 0 }, 'no idle connection keeps its last request span alive');
        const stillOpen = agents.reduce((n, a) => n + Object.values(a.freeSockets).flat().length, 0);
        assert.equal(stillOpen, 5, 'the connections were still open when their spans were collected');
      } finally {
        for (const a of agents) a.destroy();
        await app.stop();
        await receiver.stop();
      }
    });

    it("takes only tracekit's value off a timer, never another AsyncLocalStorage's", () => {
      const out = JSON.parse(execFileSync(node.bin, [join(FIXTURES, 'store-dropper.cjs')], { encoding: 'utf8' })) as Record<string, { ours: string | null; theirs: string | null }>;
      assert.deepEqual(out.alone, { ours: null, theirs: null }, "a timer armed in tracekit's context alone runs without it");
      assert.equal(out.shared.theirs, 'app', "the app's own value stays on a timer that also had tracekit's");
      // On async hooks (Node 20, 22) each storage has its own property, so only tracekit's goes; on
      // AsyncContextFrame (Node 24) the shared frame is left whole.
      const frames = Number(/^v(\d+)/.exec(execFileSync(node.bin, ['--version'], { encoding: 'utf8' }))?.[1]) >= 24;
      assert.equal(out.shared.ours, frames ? 'request' : null);
      assert.deepEqual(out.untouched, { ours: null, theirs: 'app' }, "a timer without tracekit's value keeps the app's");
    });
  });
}
