/**
 * The attributes a server span learns last, encoded once per (route, method, status):
 * `http.request.method`, `http.route`, `http.response.status_code` and, for a 5xx,
 * `error.type`. Nearly every request of a route ends with the same few combinations, so the
 * span takes a shared block (see tracer/attribute-block.ts) instead of four attributes set and
 * encoded one by one: the keys alone are 60 characters, written one at a time per request before.
 */
import type { AttributeBlock } from '../otlp/types';
import { attributeBlock } from '../tracer/attribute-block';

const TAIL_KEYS = Object.freeze(['http.request.method', 'http.route', 'http.response.status_code', 'error.type']);
/** Most blocks kept; requests beyond get a block of their own, not kept. */
const MAX_BLOCKS = 1000;
/** Longest route kept in a block (a template is short; anything longer is not worth keeping). */
const MAX_ROUTE_LENGTH = 256;

interface Entry {
  method: string;
  status: number;
  block: AttributeBlock;
}

export class ServerSpanTails {
  /**
   * Blocks by route, then a short list scanned for (method, status). Route strings come from
   * the framework's template cache and methods from the HTTP parser's table, so the lookup
   * hashes strings it has hashed before instead of building a key per request.
   */
  private readonly byRoute = new Map<string | undefined, Entry[]>();
  private count = 0;

  /** The block for a finished request: a kept one, or (past the limits) one made for this request alone. */
  blockFor(route: string | undefined, method: string, status: number): AttributeBlock {
    let list = this.byRoute.get(route);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const e = list[i];
        if (e.status === status && e.method === method) return e.block;
      }
    }
    const block = attributeBlock(TAIL_KEYS, [method, route, status === 0 ? undefined : status, status >= 500 ? String(status) : undefined]);
    if (this.count >= MAX_BLOCKS || (route !== undefined && route.length > MAX_ROUTE_LENGTH)) return block;
    if (list === undefined) this.byRoute.set(route, (list = []));
    list.push({ method, status, block });
    this.count++;
    return block;
  }
}
