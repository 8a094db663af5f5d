import type { RequestHandler } from 'express';

/**
 * The handlers as one: each runs when the one before calls `next()`, an error skips the rest.
 * Mounted as one layer, the endpoint's stages do not go through express's router between each
 * other, which cost more per request than some of the stages.
 */
export function middlewareChain(handlers: readonly RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined && err !== 'route' && err !== 'router') return done(err);
      const handler = handlers[index++];
      if (!handler) return done();
      try {
        const result = handler(req, res, next) as unknown;
        if (result instanceof Promise) result.catch(next);
      } catch (error) {
        next(error);
      }
    };
    next();
  };
}
