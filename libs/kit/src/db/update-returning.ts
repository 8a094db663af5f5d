import type { EntityManager, EntitySchema } from '@mikro-orm/core';

/**
 * A conditional move in one round trip: `UPDATE … SET changes WHERE every guard holds
 * RETURNING *`, the row merged into `em` as it now stands, or null when no row matched.
 * `nativeUpdate` followed by a refreshing find costs two round trips and the ORM's query
 * building twice, on the saga's hottest paths. Guards are equalities and must not be null.
 */
export async function updateReturning<T extends object>(
  em: EntityManager,
  entity: EntitySchema<T>,
  guards: Partial<T>,
  changes: Partial<T>,
): Promise<T | null> {
  const meta = em.getMetadata().get<T>(entity.meta.className);
  const platform = em.getPlatform();
  const column = (key: string) => {
    const prop = (meta.properties as Record<string, { fieldNames: string[] } | undefined>)[key];
    if (!prop) throw new Error(`${meta.className} has no property ${key}`);
    return platform.quoteIdentifier(prop.fieldNames[0]!);
  };
  const set = Object.entries(changes);
  const where = Object.entries(guards);
  if (set.length === 0 || where.length === 0) throw new Error('updateReturning needs changes and guards');
  for (const [key, value] of where) {
    if (value === null || value === undefined) throw new Error(`updateReturning guard ${key} must have a value`);
  }
  const sql =
    `update ${platform.quoteIdentifier(meta.tableName)} set ${set.map(([key]) => `${column(key)} = ?`).join(', ')}` +
    ` where ${where.map(([key]) => `${column(key)} = ?`).join(' and ')} returning *`;
  const rows = await em
    .getConnection()
    .execute<Record<string, unknown>[]>(sql, [...set.map(([, v]) => v), ...where.map(([, v]) => v)], 'all', em.getTransactionContext());
  return rows[0] ? (em.map(entity, rows[0]) as T) : null;
}
