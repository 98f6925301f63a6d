/**
 * `npm run demo` as a user runs it: the script starts the collector and both shop services
 * under the agent, drives traffic, prints the dashboard URL, and Ctrl-C (SIGINT) stops every
 * process it started and removes its store.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/app';
import { eventually } from './helpers/collector';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  it('starts everything, shows progress and the dashboard URL, and Ctrl-C stops it all', async () => {
    const proc = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.cjs'), '--port', '0', '--rate', '40'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    try {
      const dashboard = await eventually(async () => /dashboard: (http:\/\/\S+)/.exec(out)?.[1], `the dashboard URL\n${out}\n${err}`, 30000);
      const base = new URL(dashboard).origin;
      const pids = [...(/processes: ([^\n]*)/.exec(out)?.[1] ?? '').matchAll(/(\w+) (\d+)/g)].map((m) => ({ name: m[1], pid: Number(m[2]) }));
      assert.deepEqual(pids.map((p) => p.name), ['collector', 'inventory', 'shop']);
      assert.match(out, new RegExp(`demo running on Node ${process.versions.node.replace(/\./g, '\\.')}\\n`), 'the Node that runs it, not another line from node_modules');
      const store = /store:\s+(\S+)/.exec(out)?.[1] ?? '';
      assert.ok(existsSync(store));
      // The page is served and the traffic reaches the store: every route of the mix, from both services.
      assert.equal((await fetch(dashboard)).status, 200);
      const routes = await eventually(async () => {
        const r = (await (await fetch(`${base}/api/routes?window=5m`)).json()) as { service: string; route: string; nPlusOneRequests: number; errors: number }[];
        // The mix is random: wait until the N+1 and error routes have had a request each that shows it.
        const complete = r.filter((x) => x.service === 'shop').length >= 7 && r.some((x) => x.service === 'inventory');
        const flagged = r.some((x) => x.route === '/products/featured' && x.nPlusOneRequests > 0) && r.some((x) => x.route === '/payments/charge' && x.errors > 0);
        return complete && flagged ? r : undefined;
      }, 'traffic from the demo in the routes, with an N+1 request and an error', 30000);
      assert.ok(routes.some((r) => r.route === '/products/featured' && r.nPlusOneRequests > 0), 'the N+1 route');
      assert.ok(routes.some((r) => r.route === '/payments/charge' && r.errors > 0), 'the error route');
      await eventually(async () => (/traffic: \d+ requests/.test(out) ? true : undefined), 'a progress line', 15000);
      for (const line of out.split('\n')) assert.ok(line.length <= 80, `a line wider than 80 columns: ${line}`);

      proc.kill('SIGINT');
      assert.equal(await exited, 0, err);
      assert.match(out, /demo stopped/);
      for (const p of pids) assert.equal(alive(p.pid), false, `${p.name} (${p.pid}) still running`);
      assert.equal(existsSync(dirname(store)), false, 'the temporary store is removed');
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
  });
});
