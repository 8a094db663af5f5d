import type { ServerResponse } from 'node:http';
import typeis from 'type-is';
import { Refusal, refusal, refusalBody } from '../errors';
import type { ReportOperation } from '../observability/operation-report';
import type { Admit } from '../pipeline/admission';
import { operationParamsOf } from '../pipeline/operation-params';
import { clientApplicationOf } from './client-application';
import { GatewayRequest, HttpStage, sendJson } from './gateway-request';

/** Marks when a request reached the GraphQL endpoint: the first stage, so its duration counts the checks and authentication too. */
export const startClock: HttpStage = (req, _res, next) => {
  req.startedAt = performance.now();
  next();
};

/**
 * Runs the request pipeline's checks on a GraphQL request over HTTP (POST body or GET query
 * string) and answers a refusal itself. What passes goes on with `req.admitted` set and the
 * request rewritten to the text that runs, a persisted id resolved, so that what serves it
 * after (subscription streams, Apollo Server) needs no second look at the extensions.
 */
export function admitHttpOperation(admit: Admit, report: ReportOperation): HttpStage {
  const answer = (req: GatewayRequest, res: ServerResponse, refused: Refusal): void => {
    report({ startedAt: req.startedAt ?? performance.now(), admitted: undefined, errors: refused.errors, client: clientApplicationOf((name) => req.header(name)), log: () => req.log });
    for (const [name, value] of Object.entries(refused.headers ?? {})) res.setHeader(name, value);
    sendJson(res, refused.status, refusalBody(refused));
  };
  return async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    if (req.method === 'POST' && !typeis(req, ['application/json'])) {
      return answer(req, res, refusal('BAD_REQUEST', 'POST a JSON body (Content-Type: application/json)'));
    }
    const query = req.method === 'GET' ? queryStringParams(req.url ?? '') : null;
    // A GET that carries no operation is a browser asking for the Sandbox landing page: the last stage's to answer.
    if (query && query.query === undefined && query.extensions === undefined) return next();
    const raw = query ?? req.body;
    const shaped = operationParamsOf(raw, { jsonEncoded: req.method === 'GET' });
    if ('refused' in shaped) return answer(req, res, shaped.refused);
    const admission = await admit(shaped.params, { identity: req.identity, clientAddress: req.clientAddress });
    if (admission.refused) return answer(req, res, admission.refused);

    const { admitted } = admission;
    req.admitted = admitted;
    const { persistedQuery: _resolved, ...extensions } = shaped.params.extensions ?? {};
    const body = { query: admitted.query, operationName: admitted.operationName, variables: admitted.variables, extensions };
    if (req.method === 'POST') req.body = body;
    else req.url = withQueryString(req.url ?? '', body);
    next();
  };
}

/**
 * A GET request's parameters, read as Apollo Server reads them (URLSearchParams, the first of a
 * repeated name, every name kept): express's query parser stops at 1,000 names, which would let
 * `variables` placed after them run unchecked.
 */
function queryStringParams(url: string): Record<string, string> {
  const search = new URLSearchParams(url.slice(url.indexOf('?') + 1 || url.length));
  const params: Record<string, string> = {};
  for (const name of ['query', 'operationName', 'variables', 'extensions']) {
    const value = search.get(name);
    if (value !== null) params[name] = value;
  }
  return params;
}

/** The URL with its query string replaced by the admitted operation's, which is what Apollo Server reads. */
function withQueryString(url: string, body: { query: string; operationName: string | null; variables: Record<string, unknown>; extensions: Record<string, unknown> }): string {
  const search = new URLSearchParams({ query: body.query, variables: JSON.stringify(body.variables), extensions: JSON.stringify(body.extensions) });
  if (body.operationName) search.set('operationName', body.operationName);
  const path = url.indexOf('?') < 0 ? url : url.slice(0, url.indexOf('?'));
  return `${path}?${search.toString()}`;
}
