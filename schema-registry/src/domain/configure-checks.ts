import type { EntityManager } from '@mikro-orm/core';
import { ApiKeyRow, CheckSettings, Variant } from '../db/entities';
import { recordAudit } from './audit-log';
import { assertSettings } from './check-subgraph';
import { formatGraphRef, GraphRef } from './graph-ref';
import { checkSettingsOf, findOrCreateVariant } from './variants';

/** Sets a variant's defaults for checks (thresholds, window, exclusions); unset fields keep their value. */
export async function configureChecks(em: EntityManager, ref: GraphRef, changes: Partial<CheckSettings>, actor: ApiKeyRow): Promise<CheckSettings> {
  assertSettings(changes);
  const variant = await findOrCreateVariant(em, ref);
  const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined && v !== null));
  const checkSettings = { ...variant.checkSettings, ...given };
  await em.nativeUpdate(Variant, { id: variant.id }, { checkSettings });
  await recordAudit(em, { action: 'checks.configure', graphRef: formatGraphRef(ref), outcome: 'configured', actor, details: given });
  return checkSettingsOf({ ...variant, checkSettings });
}
