import type { RequestHandler } from 'express';

/**
 * Lets at most `slots` usage reports be read and stored at once; the rest wait their turn
 * before their body is read. Each report is held to the body limit, so the memory usage
 * ingestion takes stays bounded however many gateways report together; SQLite writes one
 * transaction at a time anyway.
 */
export class IngestGate {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly slots: number) {}

  readonly middleware: RequestHandler = (_req, res, next) => {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const nextInLine = this.waiting.shift();
      if (nextInLine) nextInLine();
      else this.inFlight -= 1;
    };
    // 'close' fires once the answer is sent or the caller hung up, whichever path ended the request.
    res.once('close', release);
    const enter = () => {
      if (res.destroyed) return release();
      next();
    };
    if (this.inFlight < this.slots) {
      this.inFlight += 1;
      enter();
    } else {
      this.waiting.push(enter);
    }
  };
}
