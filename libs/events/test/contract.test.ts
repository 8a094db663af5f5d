import { allContracts, EventCatalog, EventContractError, envelopeSchema, notificationAdded, productCreated, userRegistered } from '../src';

describe('event contracts', () => {
  it('builds an envelope with a sortable id, the type, the version and the origin', () => {
    const a = userRegistered.create('u-1', { userId: 'u-1', email: 'ann@example.com', name: 'Ann' }, { correlationId: 'req-1' });
    const b = userRegistered.create('u-2', { userId: 'u-2', email: 'bob@example.com', name: 'Bob' });
    expect(envelopeSchema.parse(a)).toBeTruthy();
    expect(a).toMatchObject({ type: 'users.user.registered', version: 1, aggregateId: 'u-1', correlationId: 'req-1', causationId: null });
    expect(b.correlationId).toBe(b.id);
    expect(a.id < b.id).toBe(true);
  });

  it('refuses data that breaks the contract, naming each problem', () => {
    expect(() =>
      productCreated.create('p-1', { productId: 'p-1', sku: 'S', name: 'N', price: { amount: -1, currency: 'USD' }, initialStock: -2 }),
    ).toThrow(EventContractError);
    try {
      productCreated.parse({ productId: 'p-1', sku: 'S', name: 'N', price: { amount: -1, currency: 'USD' }, initialStock: -2 });
    } catch (err) {
      expect((err as Error).message).toMatch(/price\.amount/);
      expect((err as Error).message).toMatch(/initialStock/);
    }
  });

  it('finds a contract by type and version, and nothing for an unknown version', () => {
    const catalog = new EventCatalog([userRegistered, productCreated]);
    expect(catalog.find('users.user.registered', 1)).toBe(userRegistered);
    expect(catalog.find('users.user.registered', 2)).toBeUndefined();
    expect(catalog.types).toEqual(['users.user.registered', 'products.product.created']);
  });

  it('rejects an envelope whose type is not <domain>.<aggregate>.<event>', () => {
    const envelope = userRegistered.create('u-1', { userId: 'u-1', email: 'ann@example.com', name: 'Ann' });
    expect(envelopeSchema.safeParse({ ...envelope, type: 'registered' }).success).toBe(false);
  });

  it('lists every contract once, notifications.notification.added among them', () => {
    const keys = allContracts.map((c) => `${c.type}@${c.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(allContracts).toContain(notificationAdded);
    expect(notificationAdded.domain).toBe('notifications');
  });

  it('describes an added notification with its user, order, kind and time', () => {
    const data = { notificationId: 'n-1', userId: 'u-1', orderId: 'o-1', kind: 'ORDER_CONFIRMED', createdAt: '2026-01-02T03:04:05.678Z' } as const;
    expect(notificationAdded.create('u-1', data).data).toEqual(data);
    expect(() => notificationAdded.parse({ ...data, kind: 'ORDER_SHIPPED' })).toThrow(/kind/);
  });
});
