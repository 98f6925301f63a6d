/**
 * Every instrumentation tracekit has, in one list. A reader sees the supported libraries and
 * their version ranges here and in each file's `patches`.
 *
 * | name    | library                    | how                                              |
 * |---------|----------------------------|--------------------------------------------------|
 * | http    | node:http, node:https      | Server.prototype.emit wrapper; http.client.* channels |
 * | fetch   | global fetch, undici       | undici:request:* channels                         |
 * | express | express >=4 <5, router >=2 <3 (express 5) | patches of Layer and Router      |
 * | pg      | pg >=8 <9, pg-pool >=3 <4  | Client.query patch; Pool.connect context binding  |
 * | mysql2  | mysql2 >=3 <4              | mysql2:* TracingChannels (3.20+); query/execute patch below 3.20 |
 * | prisma  | @prisma/client >=6 <8      | Prisma's tracing hook (V6_/V7_PRISMA_INSTRUMENTATION) |
 */
import type { InstrumentationName } from '../agent/config';
import { express } from './express';
import { httpClient } from './http-client';
import { httpServer } from './http-server';
import { mysql2 } from './mysql2';
import { pg } from './pg';
import { prisma } from './prisma';
import type { Instrumentation } from './types';
import { undici } from './undici';

export const ALL_INSTRUMENTATIONS: Instrumentation[] = [httpServer, httpClient, undici, express, pg, mysql2, prisma];

/** The instrumentations switched on by configuration. */
export function enabledInstrumentations(names: Set<InstrumentationName>): Instrumentation[] {
  return ALL_INSTRUMENTATIONS.filter((i) => names.has(i.name));
}
