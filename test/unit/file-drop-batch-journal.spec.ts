import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batchIdFor } from '../../src/adapters/file-drop/batch-accumulator';
import { BatchJournal } from '../../src/adapters/file-drop/batch-journal';

const DAY = 86_400_000;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tongban-journal-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const intent = (batch: string, ids: string[]) => ({
  batch,
  dir: '/inbox',
  temp: `.${batch}.part`,
  file: `${batch}.csv`,
  ids,
});

describe('file-drop batch journal', () => {
  it('derives the batch id from the set of delivery ids', () => {
    expect(batchIdFor(['b', 'a'])).toBe(batchIdFor(['a', 'b']));
    expect(batchIdFor(['a', 'b'])).not.toBe(batchIdFor(['a', 'c']));
    expect(batchIdFor(['a'])).toMatch(/^[0-9a-f]{16}$/);
  });

  it('tracks intent → done / abort, with done sticky, across reopen', async () => {
    const journal = await BatchJournal.open(dir, DAY);
    await journal.intent(intent('b1', ['d1', 'd2']));
    expect(journal.openIntents('d1')).toHaveLength(1);
    expect(journal.landed('d1')).toBe(false);
    await journal.done('b1');
    await journal.abort('b1');
    await journal.intent(intent('b2', ['d3']));
    await journal.abort('b2');

    const reopened = await BatchJournal.open(dir, DAY);
    expect(reopened.landed('d2')).toBe(true);
    expect(reopened.landed('d3')).toBe(false);
    expect(reopened.openIntents('d3')).toEqual([]);
  });

  it('ignores a torn last line and reads lines another process appends', async () => {
    const journal = await BatchJournal.open(dir, DAY);
    await journal.intent(intent('b1', ['d1']));
    const path = join(dir, 'batch-journal.jsonl');
    await appendFile(path, '{"op":"done","batch":"b1"'); // crash mid-append
    const other = await BatchJournal.open(dir, DAY);
    expect(other.landed('d1')).toBe(false);
    await appendFile(path, ',"at":1}\n');
    await other.refresh();
    expect(other.landed('d1')).toBe(true);
  });

  it('drops batches older than the retention when it opens', async () => {
    const old = Date.now() - 40 * DAY;
    const lines = [
      { op: 'intent', at: old, ...intent('old', ['d1']) },
      { op: 'done', at: old, batch: 'old' },
      { op: 'intent', at: Date.now(), ...intent('new', ['d2']) },
      { op: 'done', at: Date.now(), batch: 'new' },
    ];
    await writeFile(join(dir, 'batch-journal.jsonl'), lines.map((l) => JSON.stringify(l) + '\n').join(''));
    const journal = await BatchJournal.open(dir, 30 * DAY);
    expect(journal.landed('d1')).toBe(false);
    expect(journal.landed('d2')).toBe(true);
    expect(await readFile(join(dir, 'batch-journal.jsonl'), 'utf8')).not.toContain('"old"');
  });
});
