import { Identity, pageSize, requireIdentity } from '@ficus/kit';
import { requireSightOf } from './access';
import type { NotificationRow } from './notification';

/** Loads a user's newest notifications; a per-request DataLoader satisfies it. */
export interface NewestNotificationsFinder {
  load(key: { userId: string; first: number }): Promise<NotificationRow[]>;
}

/** Loads notifications by id; a per-request DataLoader satisfies it. */
export interface NotificationFinder {
  load(id: string): Promise<NotificationRow | null>;
}

/** A user's newest notifications (20 unless `first` says otherwise, at most 100), for that user or an admin. */
export async function visibleNotifications(
  finder: NewestNotificationsFinder,
  actor: Identity | null,
  userId: string,
  first: number | null | undefined,
): Promise<NotificationRow[]> {
  requireSightOf(actor, userId);
  return finder.load({ userId, first: pageSize(first) });
}

/** One notification by id, for its user or an admin; `null` if there is none. */
export async function visibleNotification(finder: NotificationFinder, actor: Identity | null, id: string): Promise<NotificationRow | null> {
  requireIdentity(actor);
  const notification = await finder.load(id);
  if (notification) requireSightOf(actor, notification.userId);
  return notification;
}
