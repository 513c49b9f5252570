/**
 * A practice's PHI policy (which channels may carry PHI, and on what condition), kept in its profile. Read fresh
 * on every gate decision; every change is audited.
 */
import { type Kysely, sql } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import { PHI_RULES, type PhiPolicy, type PhiRule, practiceProfileSchema } from '../practice/practice-profile';

export const PHI_POLICY_CHANNELS = ['webchat', 'sms', 'whatsapp', 'messenger'] as const;
export type PhiPolicyChannel = (typeof PHI_POLICY_CHANNELS)[number];

export async function readPhiPolicy(db: Kysely<Database>, practiceId: string): Promise<PhiPolicy | undefined> {
  const row = await db.selectFrom('practices').select('profile').where('id', '=', practiceId).executeTakeFirst();
  return row
    ? practiceProfileSchema.shape.phiPolicy.parse((row.profile as { phiPolicy?: unknown }).phiPolicy)
    : undefined;
}

export async function setPhiRule(
  db: Kysely<Database>,
  audit: AuditLog,
  change: { practiceId: string; channel: string; rule: string; actor: string },
): Promise<PhiPolicy> {
  if (!PHI_POLICY_CHANNELS.includes(change.channel as PhiPolicyChannel))
    throw new Error(`channel must be one of: ${PHI_POLICY_CHANNELS.join(', ')}`);
  if (!PHI_RULES.includes(change.rule as PhiRule)) throw new Error(`rule must be one of: ${PHI_RULES.join(', ')}`);
  return db.transaction().execute(async (trx) => {
    const policy = await readPhiPolicy(trx, change.practiceId);
    if (!policy) throw new Error(`practice ${change.practiceId} does not exist`);
    const updated = { ...policy, [change.channel]: change.rule };
    await sql`update practices set profile = jsonb_set(profile, '{phiPolicy}', ${JSON.stringify(updated)}::jsonb) where id = ${change.practiceId}`.execute(
      trx,
    );
    await audit.append(trx, {
      actor: change.actor,
      action: 'policy.phi_changed',
      purpose: 'administration',
      details: { channel: change.channel, rule: change.rule },
    });
    return updated;
  });
}
