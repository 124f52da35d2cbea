/** The vocabulary is defined once in TypeScript and once in SQL: the two say the same on both engines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/test-db.ts';
import { MERGE_SOURCE_TAG, OPEN_STATUSES, SOLVED_STATUSES, TICKET_PRIORITIES, TICKET_STATUSES, isMergeSource, isOpenStatus, priorityRank } from './vocabulary.ts';

describe('vocabulary in TypeScript and SQL', () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await createTestDb();
  });
  afterAll(async () => testDb?.destroy());

  it('agree on which statuses are open and solved, and on the priority ranks', async () => {
    const statuses = [...TICKET_STATUSES, 'unknown'];
    const priorities = [...TICKET_PRIORITIES, 'unknown', null];
    const { rows } = await testDb.db.query<{ status: string; open: boolean; solved: boolean }>(
      'SELECT s AS status, ticket_is_open(s) AS open, ticket_is_solved(s) AS solved FROM unnest($1::text[]) AS s',
      [statuses],
    );
    expect(rows).toEqual(
      statuses.map((status) => ({ status, open: (OPEN_STATUSES as readonly string[]).includes(status), solved: (SOLVED_STATUSES as readonly string[]).includes(status) })),
    );
    const ranks = await testDb.db.query<{ rank: number }>('SELECT ticket_priority_rank(p) AS rank FROM unnest($1::text[]) WITH ORDINALITY AS x(p, n) ORDER BY n', [priorities]);
    expect(ranks.rows.map((row) => row.rank)).toEqual(priorities.map(priorityRank));
    expect(TICKET_PRIORITIES.map(priorityRank)).toEqual([4, 3, 2, 1]);
    expect(statuses.filter(isOpenStatus)).toEqual([...OPEN_STATUSES]);
  });

  it('agree on which tickets are merge sources', async () => {
    const tagSets: Array<string[] | null> = [[MERGE_SOURCE_TAG], ['vip', MERGE_SOURCE_TAG], ['vip'], [], null, ['closed_by_merge_not']];
    const answers: boolean[] = [];
    for (const tags of tagSets) answers.push((await testDb.db.query<{ merged: boolean }>('SELECT ticket_is_merge_source($1::text[]) AS merged', [tags])).rows[0]!.merged);
    expect(answers).toEqual(tagSets.map(isMergeSource));
    expect(answers).toEqual([true, true, false, false, false, false]);
  });
});
