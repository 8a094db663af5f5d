import { refusal, refusalBody } from '../errors';
import { HttpStage, sendJson } from './gateway-request';

/**
 * GraphQL over HTTP is GET and POST (a CORS preflight's OPTIONS is answered before this stage):
 * any other method gets 405 with the methods that are, as Apollo Router answers it, rather than
 * going on to stages that would read it as a GET without an operation.
 */
export function allowedMethods(): HttpStage {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    const refused = refusal('METHOD_NOT_ALLOWED', `${req.method} is not a GraphQL request: send GET or POST`, {}, { allow: 'GET, POST' });
    for (const [name, value] of Object.entries(refused.headers ?? {})) res.setHeader(name, value);
    sendJson(res, refused.status, refusalBody(refused));
  };
}
