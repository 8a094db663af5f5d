import type { EntityManager } from '@mikro-orm/core';
import type { Request } from 'express';
import { Caller, findApiKey, presentedKey } from '../domain/api-keys';

/** The API key a request carries, looked up. */
export async function callerOf(req: Pick<Request, 'headers'>, em: EntityManager): Promise<Caller> {
  const key = presentedKey(req.headers);
  return { presented: key !== null, apiKey: key ? await findApiKey(em, key) : null };
}
