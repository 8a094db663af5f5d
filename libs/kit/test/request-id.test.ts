import express from 'express';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { requestIdMiddleware } from '../src';

describe('requestIdMiddleware', () => {
  const serve = async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const app = express();
    app.use(requestIdMiddleware(pino({ base: null }, sink)));
    app.get('/logs', (req, res) => {
      req.log.info({ step: 1 }, 'first');
      req.log.info({ step: 2 }, 'second');
      res.json({ sameLogger: req.log === req.log });
    });
    app.get('/silent', (_req, res) => res.json({}));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, lines, close: () => new Promise((resolve) => server.close(resolve)) };
  };

  it("gives each request one logger that carries the caller's request id, or a new one when the caller's is malformed", async () => {
    const { base, lines, close } = await serve();
    try {
      const given = await fetch(`${base}/logs`, { headers: { 'x-request-id': 'client-req-1' } });
      expect(given.headers.get('x-request-id')).toBe('client-req-1');
      expect(await given.json()).toEqual({ sameLogger: true });
      const malformed = await fetch(`${base}/logs`, { headers: { 'x-request-id': 'bad id with spaces' } });
      const made = malformed.headers.get('x-request-id');
      expect(made).toMatch(/^[0-9a-f-]{36}$/);
      await fetch(`${base}/silent`);
      expect(lines.map((l) => [l.requestId, l.step])).toEqual([
        ['client-req-1', 1],
        ['client-req-1', 2],
        [made, 1],
        [made, 2],
      ]);
    } finally {
      await close();
    }
  });
});
