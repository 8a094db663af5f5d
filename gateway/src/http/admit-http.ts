import type { RequestHandler, Response } from 'express';
import { Refusal, refusal, refusalBody } from '../errors';
import type { Admit, AdmittedOperation } from '../pipeline/admission';
import { operationParamsOf } from '../pipeline/operation-params';

declare module 'express-serve-static-core' {
  interface Request {
    /** The operation as the request pipeline admitted it; set on /graphql for every request that passed. */
    admitted?: AdmittedOperation;
  }
}

/**
 * Runs the request pipeline's checks on a GraphQL request over HTTP (POST body or GET query
 * string) and answers a refusal itself. What passes goes on with `req.admitted` set and the
 * request rewritten to the text that runs, a persisted id resolved, so that what serves it
 * after (subscription streams, Apollo Server) needs no second look at the extensions.
 */
export function admitHttpOperation(admit: Admit): RequestHandler {
  return async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    if (req.method === 'POST' && !req.is('application/json')) {
      return answer(res, refusal('BAD_REQUEST', 'POST a JSON body (Content-Type: application/json)'));
    }
    const shaped = operationParamsOf(req.method === 'POST' ? req.body : req.query, { jsonEncoded: req.method === 'GET' });
    if ('refused' in shaped) return answer(res, shaped.refused);
    const admission = await admit(shaped.params, { identity: req.identity, clientAddress: req.clientAddress });
    if (admission.refused) return answer(res, admission.refused);

    const { admitted } = admission;
    req.admitted = admitted;
    const { persistedQuery: _resolved, ...extensions } = shaped.params.extensions ?? {};
    const body = { query: admitted.query, operationName: admitted.operationName, variables: admitted.variables, extensions };
    if (req.method === 'POST') req.body = body;
    else Object.defineProperty(req, 'query', { value: { ...body, variables: JSON.stringify(body.variables), extensions: JSON.stringify(extensions) } });
    next();
  };
}

function answer(res: Response, refused: Refusal): void {
  for (const [name, value] of Object.entries(refused.headers ?? {})) res.setHeader(name, value);
  res.status(refused.status).json(refusalBody(refused));
}
