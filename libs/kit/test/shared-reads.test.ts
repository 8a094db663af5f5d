import { EventEnvelope, userRegistered } from '@ficus/events';
import { waitFor } from '@ficus/testkit';
import { SharedReads, stateStream } from '../src';
import { BufferedFeed } from '../src/subscriptions/buffered-feed';

/** A read that finishes when the test says so. */
function heldRead<T>() {
  let finish!: (value: T) => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { promise, finish, fail };
}

describe('SharedReads', () => {
  it('runs one load for the callers of one key while it is in flight, and loads again after', async () => {
    const reads = new SharedReads<number>();
    const held = heldRead<number>();
    let loads = 0;
    const load = () => {
      loads += 1;
      return held.promise;
    };
    const callers = [reads.read('k', load), reads.read('k', load), reads.read('k', load)];
    held.finish(7);
    expect(await Promise.all(callers)).toEqual([7, 7, 7]);
    expect(loads).toBe(1);
    expect(reads.size).toBe(0);
    expect(await reads.read('k', async () => 8)).toBe(8);
  });

  it('never shares between keys', async () => {
    const reads = new SharedReads<string>();
    expect(await Promise.all([reads.read('a', async () => 'a'), reads.read('b', async () => 'b')])).toEqual(['a', 'b']);
  });

  it('gives every sharer the failure, then forgets it, even for a load that throws at once', async () => {
    const reads = new SharedReads<number>();
    const held = heldRead<number>();
    const callers = [reads.read('k', () => held.promise), reads.read('k', () => held.promise)];
    held.fail(new Error('database gone'));
    for (const caller of callers) await expect(caller).rejects.toThrow('database gone');
    await expect(
      reads.read('k', () => {
        throw new Error('at once');
      }),
    ).rejects.toThrow('at once');
    expect(reads.size).toBe(0);
  });
});

describe('stateStream with reads shared per event', () => {
  const announce = (id: string): EventEnvelope => userRegistered.create(id, { userId: id, email: `${id}@example.com`, name: id });

  it('passes the event that woke it to load, and its subscribers share one read per event', async () => {
    let value = 1;
    const causes: (string | undefined)[] = [];
    const reads = new SharedReads<{ value: number }>();
    const subscriber = (feed: BufferedFeed) =>
      stateStream<{ value: number }>({
        feed,
        load: (cause) => {
          const read = async () => {
            causes.push(cause?.id);
            return { value };
          };
          return cause ? reads.read(cause.id, read) : read();
        },
        fingerprint: (state) => String(state.value),
      });
    const feeds = Array.from({ length: 10 }, () => new BufferedFeed(Promise.resolve(), () => undefined));
    const streams = feeds.map(subscriber);
    expect(await Promise.all(streams.map((s) => s.next()))).toEqual(Array(10).fill({ value: { value: 1 }, done: false }));
    expect(causes).toEqual(Array(10).fill(undefined));

    const nexts = streams.map((s) => s.next());
    value = 2;
    const event = announce('counter');
    for (const feed of feeds) feed.deliver(event);
    expect(await Promise.all(nexts)).toEqual(Array(10).fill({ value: { value: 2 }, done: false }));
    expect(causes.slice(10)).toEqual([event.id]);
    await waitFor(() => reads.size === 0, { what: 'the shared read to be forgotten' });
    await Promise.all(streams.map((s) => s.return!()));
  });
});
