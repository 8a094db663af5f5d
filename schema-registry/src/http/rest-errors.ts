import { DomainError } from '@ficus/kit';
import type { Response } from 'express';

const statuses: Record<string, number> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
};

/** The REST endpoints answer errors in GraphQL's shape, so a client reads one format: `{ errors: [{ message, extensions: { code } }] }`. */
export function sendError(res: Response, code: string, message: string): void {
  res.status(statuses[code] ?? 500).json({ errors: [{ message, extensions: { code } }] });
}

/** Domain errors keep their code and message; anything else is passed on to the error handler. */
export function sendDomainError(res: Response, err: unknown): boolean {
  if (!(err instanceof DomainError)) return false;
  sendError(res, err.code, err.message);
  return true;
}
