'use strict';
// Loaded into the app with --require by bench/allocations.cjs. The first SIGUSR2 starts V8's
// sampling heap profiler with the objects that minor and major GCs collect kept in the profile
// (what a request allocates is nearly all young garbage, which the default profile forgets);
// the second stops it and writes the profile as JSON to ALLOC_PROFILE.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new inspector.Session();
session.connect();
let sampling = false;

process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true }, (err) => {
      process.stderr.write(err ? `ALLOC-PROBE failed ${err.message}\n` : 'ALLOC-PROBE started\n');
    });
    return;
  }
  sampling = false;
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) {
      process.stderr.write(`ALLOC-PROBE failed ${err.message}\n`);
      return;
    }
    writeFileSync(process.env.ALLOC_PROFILE, JSON.stringify(result.profile));
    process.stderr.write('ALLOC-PROBE written\n');
  });
});
