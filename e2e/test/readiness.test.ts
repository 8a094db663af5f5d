import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@ficus/testkit';
import { ChildService } from '../src/child-service';
import { httpReady } from '../src/readiness';

/** A stand-in for a service: a node process that listens on `port` (answering /ready 200) only when asked to. */
function fakeService(port: number, listen: boolean): ChildService {
  const script = listen
    ? `require('node:http').createServer((_, res) => res.end('ok')).listen(${port}, '127.0.0.1')`
    : 'setInterval(() => {}, 1000)';
  return new ChildService('fake', { file: process.execPath, args: ['-e', script] }, process.env, path.join(os.tmpdir(), `ficus-readiness-${process.pid}.log`));
}

describe('a service started by the launcher', () => {
  it('is not ready while another program answers /ready on its port', async () => {
    const port = await freePort();
    const squatter = http.createServer((_, res) => res.end('ok'));
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const service = fakeService(port, false);
    try {
      await expect(httpReady(port)(service, 1_500)).rejects.toThrow(/timed out/);
    } finally {
      await service.stop();
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('is ready once it answers /ready on its port itself', async () => {
    const port = await freePort();
    const service = fakeService(port, true);
    try {
      await expect(httpReady(port)(service, 10_000)).resolves.toBeUndefined();
    } finally {
      await service.stop();
    }
  });
});
