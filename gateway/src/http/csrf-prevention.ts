import { refusal, refusalBody } from '../errors';
import { HttpStage, sendJson } from './gateway-request';

/** Headers a browser cannot send cross-origin without a CORS preflight, as Apollo Server's CSRF prevention accepts them. */
const preflightHeaders = ['x-apollo-operation-name', 'apollo-require-preflight'];
const simpleContentTypes = new Set(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

/**
 * Refuses requests a browser would send cross-origin without a preflight (a GET, or a form
 * POST), unless they carry a header that forces one: otherwise a page on another site could
 * make a signed-in user's browser run an operation. Apollo Server's rule, kept as it was.
 */
export function csrfPrevention(): HttpStage {
  return (req, res, next) => {
    // A GET without an operation is a browser opening Sandbox: nothing runs.
    if (req.method === 'GET' && !/[?&](query|extensions)=/.test(req.url ?? '')) return next();
    const contentType = req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (contentType !== undefined && contentType !== '' && !simpleContentTypes.has(contentType)) return next();
    if (preflightHeaders.some((name) => (req.header(name) ?? '') !== '')) return next();
    const refused = refusal(
      'CSRF_PREVENTION',
      'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a \'content-type\' header (with a type that is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a non-empty value for one of the following headers: x-apollo-operation-name, apollo-require-preflight',
    );
    sendJson(res, refused.status, refusalBody(refused));
  };
}
