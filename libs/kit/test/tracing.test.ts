import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { tracingConfigured } from '../src/telemetry/tracing';

const run = promisify(execFile);
const builtTracing = path.join(__dirname, '..', 'dist', 'src', 'telemetry', 'tracing.js');

/** Runs `script` in a fresh Node process with `tracing` bound to the built module, and returns what it printed. */
async function inProcess(script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['-e', `const tracing = require(${JSON.stringify(builtTracing)});\n${script}`], {
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  });
  return stdout.trim();
}

describe('tracing', () => {
  it('is on only when an OTLP endpoint is configured, and off when the SDK or the traces exporter is disabled', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });

  it('loads no OpenTelemetry module when no endpoint is set', async () => {
    const printed = await inProcess(
      `const on = tracing.startTracing({ serviceName: 'ficus-test' });
       require('node:http');
       const loaded = Object.keys(require.cache).filter((file) => file.includes('@opentelemetry'));
       console.log(JSON.stringify({ on, loaded, traceId: tracing.currentTraceId() ?? null }));`,
      {},
    );
    expect(JSON.parse(printed)).toEqual({ on: false, loaded: [], traceId: null });
  });

  it('refuses at start an OTLP protocol it cannot export in, rather than send spans nobody reads', async () => {
    const started = inProcess(`tracing.startTracing({ serviceName: 'ficus-test' });`, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    await expect(started).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be one of http\/protobuf, http\/json, not "grpc"/);
  });

  describe('with an OTLP/HTTP endpoint', () => {
    let server: http.Server;
    let url: string;
    const exports: { path: string; contentType: string; body: Buffer }[] = [];

    beforeAll(async () => {
      server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          exports.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
          res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('exports spans as protobuf under the service name, with the trace id for log lines, and flushes them when stopped', async () => {
      exports.length = 0;
      // The default schedule delay is 5 s: only the flush on stop can have sent the span before the process exits.
      const printed = await inProcess(
        `tracing.startTracing({ serviceName: 'ficus-test' });
         const api = tracing.tracingApi();
         const traceId = api.trace.getTracer('test').startActiveSpan('checkout-step', (span) => {
           const id = tracing.currentTraceId();
           span.end();
           return id;
         });
         tracing.stopTracing().then(() => console.log(traceId));`,
        { OTEL_EXPORTER_OTLP_ENDPOINT: url },
      );
      expect(printed).toMatch(/^[\da-f]{32}$/);
      expect(exports.map((e) => [e.path, e.contentType])).toEqual([['/v1/traces', 'application/x-protobuf']]);
      const body = exports[0]!.body;
      expect(body.includes('ficus-test')).toBe(true);
      expect(body.includes('checkout-step')).toBe(true);
      expect(body.includes(Buffer.from(printed, 'hex'))).toBe(true);
    });

    it('takes OTEL_SERVICE_NAME over the default name, and JSON when OTEL_EXPORTER_OTLP_PROTOCOL asks for it', async () => {
      exports.length = 0;
      await inProcess(
        `tracing.startTracing({ serviceName: 'ficus-test' });
         tracing.tracingApi().trace.getTracer('test').startSpan('one').end();
         tracing.stopTracing();`,
        { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_SERVICE_NAME: 'ficus-orders-eu', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      );
      expect(exports).toHaveLength(1);
      const resource = JSON.parse(exports[0]!.body.toString('utf8')).resourceSpans[0].resource.attributes;
      expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'ficus-orders-eu' } });
    });
  });
});
