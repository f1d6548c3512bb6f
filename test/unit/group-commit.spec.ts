import { GroupCommit } from '../../src/persistence/group-commit';

describe('GroupCommit', () => {
  it('writes a lone item at once and batches what arrives while a batch is in flight', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<number, string>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map((i) => `ok ${i}`);
      },
      { maxBatch: 3, maxInFlight: 1 },
    );
    const first = group.submit(0);
    const rest = [1, 2, 3, 4, 5].map((i) => group.submit(i));
    expect(batches).toEqual([[0]]);
    release();
    await expect(Promise.all([first, ...rest])).resolves.toEqual([0, 1, 2, 3, 4, 5].map((i) => `ok ${i}`));
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5]]);
  });

  it('fails every item of a failed batch and goes on with the next', async () => {
    const group = new GroupCommit<number, number>(
      async (items) => {
        if (items.includes(1)) throw new Error('lost connection');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const results = await Promise.allSettled([group.submit(0), group.submit(1), group.submit(2)]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 0 });
    expect(results[1].status).toBe('rejected');
    expect(results[2].status).toBe('rejected');
    await expect(group.submit(3)).resolves.toBe(3);
  });

  it('keeps up to maxInFlight batches going at once', async () => {
    let running = 0;
    let peak = 0;
    const group = new GroupCommit<number, number>(
      async (items) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return items;
      },
      { maxBatch: 1, maxInFlight: 3 },
    );
    await Promise.all(Array.from({ length: 9 }, (_, i) => group.submit(i)));
    expect(peak).toBe(3);
  });
});

describe('GroupCommit with lingerMs', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('gathers what arrives within lingerMs into one batch, and writes a full batch at once', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(
      async (items) => {
        batches.push(items);
        return items;
      },
      { maxBatch: 4, maxInFlight: 1, lingerMs: 100 },
    );
    const early = [0, 1].map((i) => group.submit(i));
    jest.advanceTimersByTime(60);
    const later = [2].map((i) => group.submit(i));
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(40);
    await expect(Promise.all([...early, ...later])).resolves.toEqual([0, 1, 2]);
    expect(batches).toEqual([[0, 1, 2]]);

    const full = [3, 4, 5, 6].map((i) => group.submit(i));
    await expect(Promise.all(full)).resolves.toEqual([3, 4, 5, 6]);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5, 6],
    ]);
  });
});
