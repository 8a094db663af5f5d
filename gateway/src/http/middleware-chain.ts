import type { HttpStage } from './gateway-request';

/** The stages as one: each runs when the one before calls `next()`; an error skips the rest. */
export function middlewareChain(handlers: readonly HttpStage[]): HttpStage {
  return (req, res, done) => {
    let index = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined) return done(err);
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
