/**
 * The README's lists of libraries cannot drift from the code: the supported-versions table is
 * made from the instrumentations' declarations (and fails here when stale), every patch lies
 * inside a declared range, and the configuration table names every instrumentation.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers/app';
import { ALL_INSTRUMENTATIONS, INSTRUMENTATION_NAMES } from '../dist/instrumentations/registry';
import { satisfies } from '../dist/instrumentations/version-range';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('the supported-versions table is the one the declarations make', () => {
  // Exits 1, saying so, when the README's table differs from what the script would write.
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'readme-tables.cjs'), '--check'], { stdio: 'pipe' });
});

test('every patch lies inside a range its instrumentation declares as supported', () => {
  const upper = (range: string): number[] => (/<\s*(\d+(?:\.\d+)*)/.exec(range)?.[1] ?? '0').split('.').map(Number);
  const lower = (range: string): string => /^>=\s*(\d+\.\d+\.\d+)/.exec(range)?.[1] ?? '';
  const notAbove = (a: number[], b: number[]): boolean => {
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
    return true;
  };
  for (const instr of ALL_INSTRUMENTATIONS) {
    for (const patch of instr.patches ?? []) {
      const ranges = instr.supports.filter((s) => s.library === patch.module && s.versions !== undefined).map((s) => s.versions as string);
      const inside = ranges.some((r) => satisfies(lower(patch.versions), r) && notAbove(upper(patch.versions), upper(r)));
      assert.ok(inside, `${instr.name}: ${patch.module}${patch.file ? `/${patch.file}` : ''} ${patch.versions} is outside what it declares (${ranges.join(', ') || 'nothing'})`);
    }
  }
});

test('the configuration table names every instrumentation', () => {
  const row = readme.split('\n').find((l) => l.startsWith('| `TRACEKIT_INSTRUMENTATIONS`'));
  assert.ok(row, 'the TRACEKIT_INSTRUMENTATIONS row');
  const listed = /comma lists of `([^`]+)`/.exec(row)?.[1].split(',');
  assert.deepEqual(listed, [...INSTRUMENTATION_NAMES]);
});
