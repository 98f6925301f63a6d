/**
 * A local stand-in for the Anthropic and OpenAI HTTP APIs: answers /v1/messages and
 * /v1/chat/completions the way they do (with CORS, as they allow browser calls) and keeps
 * every request it got, so a test can check the key and the prompt.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest { method: string; path: string; headers: IncomingHttpHeaders; body: string }

export interface AiStub { origin: string; requests: StubRequest[]; answer: string; close(): Promise<void> }

export async function startAiStub(answer: string): Promise<AiStub> {
  const requests: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const cors = {
        'access-control-allow-origin': req.headers.origin ?? '*',
        'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
        'access-control-allow-methods': 'POST',
      };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, cors);
        res.end();
        return;
      }
      const reply = req.url === '/v1/messages'
        ? { id: 'msg_stub', type: 'message', role: 'assistant', content: [{ type: 'text', text: answer }], stop_reason: 'end_turn' }
        : { id: 'chatcmpl-stub', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }] };
      res.writeHead(200, { ...cors, 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, requests, answer, close: () => new Promise((r) => server.close(() => r())) };
}
