import type { EntityManager } from '@mikro-orm/core';
import type { Request, RequestHandler } from 'express';
import type { Orm } from '@ficus/kit';
import type { Scope } from '../db/entities';
import { Caller, findApiKey, presentedKey, requireScope } from '../domain/api-keys';
import { sendDomainError } from './rest-errors';

/** The API key a request carries, looked up. */
export async function callerOf(req: Pick<Request, 'headers'>, em: EntityManager): Promise<Caller> {
  const key = presentedKey(req.headers);
  return { presented: key !== null, apiKey: key ? await findApiKey(em, key) : null };
}

/**
 * Refuses a request without a key of `scope` before anything reads its body or it takes an
 * ingest slot: a sender without a key, trickling a large body, would otherwise hold a slot the
 * gateways' reports wait for, and have its body read and parsed before the 401.
 */
export function keyFirst(orm: Orm, scope: Scope): RequestHandler {
  return async (req, res, next) => {
    try {
      requireScope(await callerOf(req, orm.em.fork()), scope);
      next();
    } catch (err) {
      if (!sendDomainError(res, err)) next(err);
    }
  };
}
