'use strict';
// A minimal OTLP receiver for benchmarks: reads each body and answers 200, no decoding, so it
// costs the machine as little as a real collector's ingest path could.
const http = require('node:http');

let bytes = 0;
let posts = 0;
const server = http.createServer((req, res) => {
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => {
    posts++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
process.on('SIGTERM', () => {
  console.log(`SINK ${posts} ${bytes}`);
  process.exit(0);
});
