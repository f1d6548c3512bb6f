import { createConnection, type Connection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { SqlPackets } from '../../src/persistence/sql-packets';
import { withDatabase } from '../support/test-gateway';

/** The one-packet transactions of the hot paths, against the real MariaDB. */
describe('SqlPackets', () => {
  const serverUrl = process.env.TONGBAN_TEST_DATABASE_URL ?? '';
  const name = `tb_batch_${randomBytes(4).toString('hex')}`;
  let admin: Connection;
  let writer: SqlPackets;

  beforeAll(async () => {
    admin = await createConnection(serverUrl);
    await admin.query(`CREATE DATABASE \`${name}\``);
    await admin.query(`CREATE TABLE \`${name}\`.t (id INT PRIMARY KEY, note VARCHAR(20), at DATETIME(3))`);
    // One connection: a batch that failed must leave it clean for the next one.
    writer = new SqlPackets(withDatabase(serverUrl, name), 1);
  });

  afterAll(async () => {
    await writer.close();
    await admin.query(`DROP DATABASE \`${name}\``);
    await admin.end();
  });

  const ids = async () =>
    ((await admin.query(`SELECT id FROM \`${name}\`.t ORDER BY id`))[0] as Array<{ id: number }>).map(
      (r) => r.id,
    );

  it('commits every statement together and returns their results in order', async () => {
    const results = await writer.transaction([
      {
        sql: 'INSERT INTO t (id, note, at) VALUES (?, ?, ?), (?, ?, ?)',
        params: [1, "it's; x", new Date(0), 2, null, null],
      },
      { sql: 'UPDATE t SET note = ? WHERE id = ?', params: ['second', 2] },
    ]);
    expect(results.map((r) => r.affectedRows)).toEqual([2, 1]);
    const [rows] = await admin.query(`SELECT id, note, at FROM \`${name}\`.t ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, note: "it's; x", at: new Date(0) },
      { id: 2, note: 'second', at: null },
    ]);
  });

  it('rolls everything back when a later statement fails, and the connection serves the next batch', async () => {
    await expect(
      writer.transaction([
        { sql: 'INSERT INTO t (id) VALUES (?)', params: [3] },
        { sql: 'INSERT INTO t (id) VALUES (?)', params: [1] }, // duplicate key
        { sql: 'INSERT INTO t (id) VALUES (?)', params: [4] },
      ]),
    ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect(await ids()).toEqual([1, 2]);

    await writer.transaction([{ sql: 'INSERT INTO t (id) VALUES (?)', params: [5] }]);
    expect(await ids()).toEqual([1, 2, 5]);
  });
});
