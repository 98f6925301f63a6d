'use strict';
// The service the /fetch route calls: answers a short body at once.
const http = require('node:http');

const server = http.createServer((req, res) => res.end('downstream'));
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
