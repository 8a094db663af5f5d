import fs from 'node:fs';
import net from 'node:net';
import { freePort } from '../src';

const ephemeralStart = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('freePort', () => {
  it('hands out a different port on every call, below the range the kernel gives outgoing connections', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(300);
    expect(Math.max(...ports)).toBeLessThan(ephemeralStart);
  });

  it('hands out a port a server can listen on, skipping one another program holds', async () => {
    const before = await freePort();
    const held = await listen(before + 1);
    try {
      const port = await freePort();
      expect(port).not.toBe(before + 1);
      const server = await listen(port);
      await new Promise((resolve) => server.close(resolve));
    } finally {
      await new Promise((resolve) => held.close(resolve));
    }
  });
});
