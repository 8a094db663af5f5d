import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestNatsServer, TestNatsServer } from '@ficus/testkit';
import pino from 'pino';
import { connectNats, NatsAccess } from '../src';

const logger = pino({ level: 'silent' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-nats-tls-'));
const file = (name: string) => path.join(dir, name);
const read = (name: string) => fs.readFileSync(file(name), 'utf8');

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=ficus test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  for (const [name, san] of [['server', 'IP:127.0.0.1,DNS:localhost'], ['client', 'DNS:orders']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`);
    fs.writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${name === 'server' ? 'serverAuth' : 'clientAuth'}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
}

describe('connecting to a NATS that requires TLS and client certificates', () => {
  let server: TestNatsServer;

  beforeAll(async () => {
    makeCertificates();
    server = await startTestNatsServer({
      config: `tls { cert_file: "${file('server.pem')}", key_file: "${file('server-key.pem')}", ca_file: "${file('ca.pem')}", verify: true }\n`,
    });
  });

  afterAll(async () => {
    await server?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('connects over TLS with the CA and a client certificate', async () => {
    const access: NatsAccess = { credentials: { kind: 'none' }, tls: { ca: read('ca.pem'), cert: read('client.pem'), key: read('client-key.pem') } };
    const nc = await connectNats({ url: server.url.replace('nats://', 'tls://'), access, name: 'tls-ok', logger });
    try {
      await nc.flush();
      expect(nc.info?.tls_required).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('fails at once with a clear error when the server certificate is not signed by the CA given', async () => {
    const otherCa = read('client.pem');
    const access: NatsAccess = { credentials: { kind: 'none' }, tls: { ca: otherCa, cert: read('client.pem'), key: read('client-key.pem') } };
    await expect(connectNats({ url: server.url, access, name: 'tls-bad-ca', logger })).rejects.toThrow(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: TLS failed .*NATS_TLS_CA/);
  });
});
