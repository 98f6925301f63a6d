// The patch version ranges agree with the semver package (includePrerelease) on every range
// tracekit declares and on hand-picked edges, for releases, prereleases and partial bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { satisfies } from '../dist/instrumentations/version-range';
import { ALL_INSTRUMENTATIONS } from '../dist/instrumentations/registry';

const declared = ALL_INSTRUMENTATIONS.flatMap((i) => (i.patches ?? []).flatMap((p) => [p.versions])).filter((r): r is string => typeof r === 'string');
const extra = ['>=1.2.3 <1.2.4', '<=2.0.0', '>1.0.0 || <0.5', '=3.1.4', '3.1.4', '>=5.0.0-beta.2 <6', '<5.1', '>=0.0.0'];
const versions: string[] = [];
for (const major of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  for (const minor of [0, 1, 11, 19, 20, 21]) {
    for (const patch of [0, 2, 3, 4, 5]) versions.push(`${major}.${minor}.${patch}`);
  }
  versions.push(`${major}.0.0-0`, `${major}.0.0-beta.2`, `${major}.0.0-beta.10`, `${major}.0.0-rc.1`, `${major}.20.0-rc.1`, `${major}.1.0-alpha`);
}
versions.push('1.2.3+build.5', 'v3.1.4', '5.0.0-beta', '5.0.0-beta.1.a');

test('agrees with semver on every declared range and a grid of versions', () => {
  assert.ok(declared.length >= 8, `found ${declared.length} declared ranges`);
  let checked = 0;
  for (const range of [...new Set([...declared, ...extra])]) {
    for (const version of versions) {
      assert.equal(satisfies(version, range), semver.satisfies(version, range, { includePrerelease: true }), `${version} in ${range}`);
      checked++;
    }
  }
  assert.ok(checked > 3000);
});

test('garbage in gives false, never a throw', () => {
  for (const [version, range] of [['not-a-version', '>=1'], ['1.2.3', 'nonsense'], ['1.2.3', ''], ['', '>=0'], ['1.2.3', '>= <']]) {
    assert.equal(satisfies(version, range), false, `${version} in ${range}`);
  }
});
