/** Backfill cursors: per repository, the window start, what was done so far (JSON), and when a run completed. */
import { nowIso, type Db } from './common.js';

/** A repository's backfill cursor. */
export interface BackfillCursor {
  since: string;
  cursor: string;
  completedAt: string | null;
}

/** Reads the backfill cursor of a repository (null when none). */
export async function getBackfillCursor(db: Db, repository: string): Promise<BackfillCursor | null> {
  const row = await db.selectFrom('backfill_cursors').selectAll().where('repository', '=', repository).executeTakeFirst();
  return row ? { since: row.since, cursor: row.cursor, completedAt: row.completed_at } : null;
}

/** Writes the backfill cursor of a repository. */
export async function setBackfillCursor(db: Db, repository: string, since: string, cursor: string, completed: boolean): Promise<void> {
  const values = { since, cursor, completed_at: completed ? nowIso() : null, updated_at: nowIso() };
  await db
    .insertInto('backfill_cursors')
    .values({ repository, ...values })
    .onConflict((oc) => oc.column('repository').doUpdateSet(values))
    .execute();
}
