import { waitFor } from '@ficus/testkit';
import type { MikroORM } from '@mikro-orm/core';
import { notifyCustomer, OrderNews } from '../src/domain/notify-customer';
import { NotificationsHarness, startNotifications } from './notifications-harness';

/**
 * A client resumes `notificationAdded(after:)` from the last id it saw, so a user's
 * notifications must commit in id order. On SQLite one writer at a time gives that; on
 * PostgreSQL two handlers notifying one user at once must take turns.
 */
describe('notifying one user from two transactions at once, on postgres', () => {
  let h: NotificationsHarness;
  let orm: MikroORM;

  beforeAll(async () => {
    h = await startNotifications('postgres');
    orm = h.subgraph.orm;
  });

  afterAll(async () => {
    await h?.stop();
  });

  const news = (orderId: string): OrderNews => ({ userId: 'turns-user', orderId, kind: 'ORDER_CONFIRMED', message: `order ${orderId}` });
  const waitingForATurn = async () => {
    const rows: { waiting: string | number }[] = await orm.em
      .getConnection()
      .execute("select count(*) as waiting from pg_locks where locktype = 'advisory' and not granted");
    return Number(rows[0]!.waiting);
  };

  it('makes the second wait until the first commits, so the later commit has the greater id', async () => {
    let holdingTurn: () => void = () => undefined;
    const firstHoldsTurn = new Promise<void>((resolve) => (holdingTurn = resolve));
    let commitFirst: () => void = () => undefined;
    const firstMayCommit = new Promise<void>((resolve) => (commitFirst = resolve));
    const first = orm.em.fork().transactional(async (em) => {
      const row = await notifyCustomer(em, news('turns-1'), {});
      holdingTurn();
      await firstMayCommit;
      return row;
    });
    await firstHoldsTurn;

    let secondCommitted = false;
    const second = orm.em
      .fork()
      .transactional((em) => notifyCustomer(em, news('turns-2'), {}))
      .then((row) => ((secondCommitted = true), row));
    await waitFor(async () => (await waitingForATurn()) === 1, { what: "the second transaction to wait for the user's turn" });
    expect(secondCommitted).toBe(false);

    commitFirst();
    const [firstRow, secondRow] = await Promise.all([first, second]);
    expect(firstRow && secondRow && secondRow.id > firstRow.id).toBe(true);
  });
});
