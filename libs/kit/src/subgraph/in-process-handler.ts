import { randomUUID } from 'node:crypto';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { errorBody } from '../errors';
import { checkGatewaySignature } from '../http/gateway-signature-check';
import { traceIdOf } from '../http/trace-id';
import type { RequestSignature } from '../request-signature';

/** A POST to a subgraph's `/graphql` from a gateway in the same process: the signed body and headers it would have sent over HTTP. */
export interface InProcessRequest {
  /** The routing URL's path (`/graphql`), which the signature covers. */
  path: string;
  /** Lower-case names, as the gateway sends them. */
  headers: Record<string, string>;
  body: string;
}

export interface InProcessResponse {
  status: number;
  body: string;
}

/** A subgraph's `/graphql` for a gateway in the same process (the modular monolith): no socket, no HTTP framing. */
export type InProcessHandler = (request: InProcessRequest) => Promise<InProcessResponse>;

/** What a GraphQL context is built from: the request's headers, id and logger, over HTTP or in process alike. */
export type ContextRequest = Pick<Request, 'headers' | 'requestId' | 'log' | 'header'>;

/**
 * The same steps, in the same order, as the HTTP route: request id, body limit, JSON, the
 * gateway's signature, then Apollo Server with the service's context (identity from the
 * signed x-ficus-* headers) and its plugins (operation limits, request log and metrics).
 */
export function inProcessHandler<TContext extends object>(options: {
  apollo: ApolloServer<TContext>;
  logger: Logger;
  bodyLimitBytes: number;
  gatewaySignature: RequestSignature | null;
  context: (req: ContextRequest) => Promise<TContext>;
}): InProcessHandler {
  return async ({ path, headers: sent, body }) => {
    const headers: Record<string, string> = { ...sent };
    const given = headers['x-request-id'];
    const requestId = given && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    const req = new InProcessCallRequest(headers, requestId, options.logger);
    if (Buffer.byteLength(body) > options.bodyLimitBytes) return refusal(413, `request body is too large: this service takes at most ${options.bodyLimitBytes} bytes (BODY_LIMIT_BYTES)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return refusal(400, 'request body is not valid JSON');
    }
    if (options.gatewaySignature) {
      const refused = checkGatewaySignature(options.gatewaySignature, { method: 'POST', path, rawBody: body, body: parsed, headers, log: req.log });
      if (refused) return { status: 401, body: JSON.stringify(refused) };
    }
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers: new HeaderMap(Object.entries(headers)), search: '', body: parsed },
      context: () => options.context(req),
    });
    if (response.body.kind === 'complete') return { status: response.status ?? 200, body: response.body.string };
    // An incremental answer (the gateway asks for application/json, so none is expected) is read whole.
    let text = '';
    for await (const chunk of response.body.asyncIterator) text += chunk;
    return { status: response.status ?? 200, body: text };
  };
}

/** As the HTTP route's body error handler answers. */
function refusal(status: number, message: string): InProcessResponse {
  return { status, body: JSON.stringify(errorBody('BAD_REQUEST', message)) };
}

/**
 * A call's stand-in for the express request. The logger's getter sits on the class: in an object
 * literal a getter makes a dictionary-mode object and a closure per call, which kept each call's
 * objects alive past young-generation collections (measured on the gateway's own context).
 */
class InProcessCallRequest implements ContextRequest {
  private logger: Logger | undefined;

  constructor(
    readonly headers: Record<string, string>,
    readonly requestId: string,
    private readonly serviceLogger: Logger,
  ) {}

  get log(): Logger {
    if (!this.logger) {
      const traceId = traceIdOf(this);
      this.logger = this.serviceLogger.child(traceId ? { requestId: this.requestId, traceId } : { requestId: this.requestId });
    }
    return this.logger;
  }

  header(name: 'set-cookie'): string[] | undefined;
  header(name: string): string | undefined;
  header(name: string): string | string[] | undefined {
    return this.headers[name.toLowerCase()];
  }
}
