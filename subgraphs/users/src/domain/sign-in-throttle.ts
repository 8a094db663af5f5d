import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { DomainError } from '@ficus/kit';
import { countAttempts, forgetAttempts, pruneAttempts, recordAttempts } from './sign-in-attempts';

/** How many failed sign-ins are tolerated, per account and per client address, in any window. */
export interface SignInLimits {
  windowMs: number;
  maxFailuresPerAccount: number;
  maxFailuresPerClient: number;
}

/** An attempt let through to the password check. Its rows count as failures unless it `succeeded`. */
export interface AdmittedAttempt {
  succeeded(): Promise<void>;
}

/**
 * Failed sign-ins per account (normalized email, whether or not an account has it) and per
 * client address, over a sliding window, in the users database so every users process shares
 * them and they survive restarts. An attempt writes its rows before its password is checked
 * and counts the rows in the window: attempts in flight count as failures until they succeed,
 * so concurrent attempts (50 aliased signIn fields in one request) get no more password checks
 * than the limits allow. A refused attempt deletes its rows, so hammering a locked account does
 * not lengthen its lock. A success deletes the account's rows (the owner proved the password)
 * but not the client's: one's own account cannot clear a client's budget for guessing others.
 * Without a client address (a direct call the gateway did not vouch for) only the account
 * limit applies: one shared bucket would let any such caller lock every sign-in out.
 */
export class SignInThrottle {
  private lastPruneAt = 0;

  constructor(
    private readonly limits: SignInLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws `tooManySignInAttempts` when either limit is reached; the password is then never checked. */
  async admit(em: EntityManager, attempt: { email: string; clientAddress: string | null }): Promise<AdmittedAttempt> {
    const now = this.now();
    await this.pruneNowAndThen(em, now);
    const account = accountSubject(attempt.email);
    const limits = new Map([[account, this.limits.maxFailuresPerAccount]]);
    if (attempt.clientAddress) limits.set(clientSubject(attempt.clientAddress), this.limits.maxFailuresPerClient);
    const subjects = [...limits.keys()];

    const ids = await recordAttempts(em, subjects, now);
    const counts = await countAttempts(em, subjects, now - this.limits.windowMs);
    // Its own row is among the counted: over the limit means the limit's failures were there before it.
    const over = counts.filter((count) => count.attempts > limits.get(count.subject)!);
    if (over.length > 0) {
      await forgetAttempts(em, ids);
      const freedAt = Math.max(...over.map((count) => count.oldestAt + this.limits.windowMs));
      throw tooManySignInAttempts(Math.max(1, Math.ceil((freedAt - now) / 1000)));
    }
    return { succeeded: () => forgetAttempts(em, ids, [account]) };
  }

  private async pruneNowAndThen(em: EntityManager, now: number): Promise<void> {
    if (now - this.lastPruneAt < Math.min(this.limits.windowMs, 60_000)) return;
    this.lastPruneAt = now;
    await pruneAttempts(em, now - this.limits.windowMs);
  }
}

/** The same answer whichever limit was reached and whether or not the account exists; only the wait differs. */
export function tooManySignInAttempts(retryAfterSeconds: number): DomainError {
  return new DomainError('UNAUTHENTICATED', 'too many failed sign-in attempts: try again later', { retryAfterSeconds });
}

// Hashed: the table holds no email typed at the sign-in form, and every subject has one bounded size.
const accountSubject = (email: string) => `account:${sha256(email)}`;
const clientSubject = (address: string) => `client:${address.length <= 64 ? address : sha256(address)}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
