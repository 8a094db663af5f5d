import { createLogger, openDatabase, Orm, runOnOneInstance } from '@ficus/kit';
import { waitFor } from '@ficus/testkit';
import { CatalogProduct } from '../src/domain/catalog-product';
import { Order } from '../src/domain/order';
import { OrderItem } from '../src/domain/order-item';
import { PaymentTimeoutSweeper, paymentTimeoutSweepJob } from '../src/domain/payment-timeout-sweeper';
import { customer, OrdersHarness } from './orders-harness';

const logger = createLogger('sweeper-instances-test', 'silent');

// Two replicas of orders on one PostgreSQL database, each with its own pool and sweeper.
describe('payment-timeout sweepers of two orders instances on one PostgreSQL database', () => {
  let orders: OrdersHarness;
  let instanceA: Orm;
  let instanceB: Orm;
  let sweeperA: PaymentTimeoutSweeper;
  let sweeperB: PaymentTimeoutSweeper;

  beforeAll(async () => {
    // The service's own sweeper stays idle for the whole test: only the two below sweep.
    orders = await OrdersHarness.start('postgres', { PAYMENT_TIMEOUT_MS: '100', SAGA_SWEEP_INTERVAL_MS: '3600000' });
    const open = () => openDatabase({ target: orders.config.database, entities: [Order, OrderItem, CatalogProduct], migrations: [], logger });
    instanceA = await open();
    instanceB = await open();
    sweeperA = new PaymentTimeoutSweeper(instanceA, 3_600_000, logger);
    sweeperB = new PaymentTimeoutSweeper(instanceB, 3_600_000, logger);
  });

  afterAll(async () => {
    await instanceA?.close();
    await instanceB?.close();
    await orders?.stop();
  });

  const ann = customer();
  const overdueOrders = async (count: number) => {
    const mug = await orders.knownProduct();
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const orderId = await orders.placedOrder(ann, [{ productId: mug, quantity: 1 }], 'tok_timeout');
      await orders.publishAndWait(orders.stockReserved(orderId));
      ids.push(orderId);
    }
    const last = (await orders.order(ids[ids.length - 1]!))!;
    await waitFor(() => Date.now() > last.paymentDeadline!.getTime(), { what: 'the payment deadlines to pass' });
    return ids;
  };

  it('skips the tick on one instance while the other holds the sweep', async () => {
    const [orderId] = await overdueOrders(1);

    const whileHeld = await runOnOneInstance(instanceA, paymentTimeoutSweepJob, () => sweeperB.sweep());

    expect(whileHeld).toEqual({ ran: true, result: { swept: false, cancelled: 0 } });
    expect(await orders.order(orderId!)).toMatchObject({ status: 'PENDING', sagaStep: 'AWAITING_PAYMENT' });
    expect(await sweeperB.sweep()).toEqual({ swept: true, cancelled: 1 });
  });

  it('times each overdue order out once when both instances tick together', async () => {
    const ids = await overdueOrders(6);

    const ticks = await Promise.all([sweeperA.sweep(), sweeperB.sweep(), sweeperA.sweep(), sweeperB.sweep()]);

    expect(ticks.reduce((sum, tick) => sum + tick.cancelled, 0)).toBe(ids.length);
    for (const orderId of ids) {
      expect(await orders.order(orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
      expect(await orders.recordedEvents(orderId, 'orders.order.cancelled')).toBe(1);
    }
  });
});
