/** Outgoing HTTP calls per host, and the dependency graphs drawn from them. */
import * as fmt from '../lib/format';
import type { NodeTarget } from '../lib/graph-model';
import type { Graph, OutgoingHost } from '../lib/types';
import { DependencyGraph } from './DependencyGraph';

interface Props { hosts: OutgoingHost[]; graph: Graph; showService: boolean; dark: boolean; onOpen(target: NodeTarget): void }

export function Outgoing({ hosts, graph, showService, dark, onOpen }: Props) {
  return (
    <section class="panel" id="outgoing" aria-label="outgoing calls">
      <h2>Outgoing HTTP</h2>
      {hosts.length === 0 ? (
        <p class="empty">No outgoing HTTP calls in this window.</p>
      ) : (
        <div class="scroll">
          <table class="data">
            <thead>
              <tr>
                {showService && <th>service</th>}
                <th>host</th>
                <th class="num">calls</th>
                <th class="num">errors</th>
                <th class="num">err %</th>
                <th class="num">p50</th>
                <th class="num">p95</th>
                <th class="num">max</th>
              </tr>
            </thead>
            <tbody>
              {hosts.map((h) => (
                <tr key={`${h.service} ${h.host}`} data-host={h.host}>
                  {showService && <td>{h.service}</td>}
                  <td>{h.host}</td>
                  <td class="num">{fmt.count(h.calls)}</td>
                  <td class="num">{fmt.count(h.errors)}</td>
                  <td class="num">{fmt.pct(h.errorPct)}</td>
                  <td class="num">{fmt.ms(h.p50Ms)}</td>
                  <td class="num">{fmt.ms(h.p95Ms)}</td>
                  <td class="num">{fmt.ms(h.maxMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="graphs">
        <DependencyGraph id="routes" title="Routes → external hosts" graph={graph} kind="routes" showService={showService} dark={dark} onOpen={onOpen} />
        {graph.serviceToService.length > 0 && <DependencyGraph id="services" title="Service → service" graph={graph} kind="services" showService dark={dark} onOpen={onOpen} />}
      </div>
    </section>
  );
}
