/**
 * Every instrumentation tracekit has, in one list. Everything else about the library list is
 * made from the instrumentations' own declarations: the names TRACEKIT_INSTRUMENTATIONS takes,
 * the packages the agent watches for early loading, the README's table of supported versions
 * (scripts/readme-tables.cjs) and the versions the tests install (test/versions/install.cjs).
 */
import { consoleLogs } from './console';
import { express } from './express';
import { httpClient } from './http-client';
import { httpServer } from './http-server';
import { mysql2 } from './mysql2';
import { pg } from './pg';
import { pino } from './pino';
import { prisma } from './prisma';
import type { Instrumentation, InstrumentationName, SupportedLibrary } from './types';
import { undici } from './undici';
import { winston } from './winston';

export const ALL_INSTRUMENTATIONS: Instrumentation[] = [httpServer, httpClient, undici, express, pg, mysql2, prisma, consoleLogs, pino, winston];

/** The names TRACEKIT_INSTRUMENTATIONS and TRACEKIT_DISABLED_INSTRUMENTATIONS take. */
export const INSTRUMENTATION_NAMES: readonly InstrumentationName[] = [...new Set(ALL_INSTRUMENTATIONS.map((i) => i.name))];

/** Every supported library, with the instrumentation that covers it. */
export const SUPPORTED_LIBRARIES: readonly (SupportedLibrary & { instrumentation: InstrumentationName })[] = ALL_INSTRUMENTATIONS.flatMap((i) =>
  i.supports.map((s) => ({ ...s, instrumentation: i.name })),
);

/** The npm packages that are patched as they load (a built-in or a channel-only library is not). */
export const PATCHED_PACKAGES: readonly string[] = [...new Set(ALL_INSTRUMENTATIONS.flatMap((i) => (i.patches ?? []).map((p) => p.module)))];

/** The instrumentations switched on by configuration. */
export function enabledInstrumentations(names: Set<InstrumentationName>): Instrumentation[] {
  return ALL_INSTRUMENTATIONS.filter((i) => names.has(i.name));
}
