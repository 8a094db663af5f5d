import { hashPassword, spendVerificationTime, verifyPassword } from '../src/domain/password';

describe('password hashing', () => {
  it('stores the scrypt parameters with a fresh salt for every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
  });

  it('accepts the right password and refuses a wrong one or a malformed hash', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
    expect(await verifyPassword('correct horse', 'plain-text')).toBe(false);
    expect(await verifyPassword('correct horse', stored.replace('$32768$', '$0$'))).toBe(false);
  });

  it('treats the same text in composed and decomposed Unicode as one password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  it('spends a comparison on unknown accounts without failing', async () => {
    await expect(spendVerificationTime('anything')).resolves.toBeUndefined();
  });
});
