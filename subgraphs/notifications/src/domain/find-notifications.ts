import type { EntityManager } from '@mikro-orm/core';
import { Notification, NotificationRow } from './notification';

/** Notifications by id in one query, in the order asked, `null` where none exists. */
export async function findNotificationsByIds(em: EntityManager, ids: readonly string[]): Promise<(NotificationRow | null)[]> {
  const rows = await em.find(Notification, { id: { $in: [...ids] } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * The `limit` newest notifications of each user, newest first, in one query: a window
 * numbers each user's rows, so a user with thousands of notifications costs no more than
 * one with a few. Written in SQL that SQLite (3.25+) and PostgreSQL both run.
 */
export async function newestNotificationsOf(
  em: EntityManager,
  userIds: readonly string[],
  limit: number,
): Promise<Map<string, NotificationRow[]>> {
  const byUser = new Map<string, NotificationRow[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0 || limit === 0) return byUser;
  const rows: Record<string, unknown>[] = await em.getConnection().execute(
    `select id, user_id, kind, message, order_id, created_at from (
       select n.*, row_number() over (partition by n.user_id order by n.created_at desc, n.id desc) as newness
       from notifications n
       where n.user_id in (${userIds.map(() => '?').join(', ')})
     ) ranked
     where newness <= ?
     order by user_id, newness`,
    [...userIds, limit],
  );
  for (const row of rows) {
    const notification = em.map(Notification, row);
    byUser.get(notification.userId)?.push(notification);
  }
  return byUser;
}
