/**
 * The port to whoever moves the money. Every call carries an idempotency key: a call
 * repeated with the same key (after a crash, a redelivery, a concurrent duplicate)
 * returns the first call's result and never charges or refunds twice.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refunds a succeeded charge in full. */
  refund(request: RefundRequest): Promise<{ providerRefundId: string }>;
  /**
   * Drops a charge that has not settled, and makes sure none with this key ever will.
   * A charge that had already succeeded cannot be voided: the answer says so, and the
   * caller refunds it instead.
   */
  void(request: { idempotencyKey: string }): Promise<VoidResult>;
}

export interface ChargeRequest {
  idempotencyKey: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** The card token the customer gave at checkout. */
  token: string;
}

export type ChargeResult =
  | { outcome: 'succeeded'; providerChargeId: string }
  | { outcome: 'declined'; reason: string }
  /** No answer yet; the provider may never give one. */
  | { outcome: 'pending' };

export interface RefundRequest {
  idempotencyKey: string;
  providerChargeId: string;
  amount: number;
}

export type VoidResult = { outcome: 'voided' } | { outcome: 'succeeded'; providerChargeId: string };
