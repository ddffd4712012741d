import { sendComms } from '../../comms/send-comms.ts';
import type { RehomeApp } from '../compose.ts';

export interface VerificationSendResult {
  sent: number;
  /** Already mailed by an interrupted earlier run (recorded, not mailed again). */
  duplicate: number;
  failed: number;
  /** Selected users who need no verification mail (already verified, skipped, API-only...). */
  notInAudience: string[];
}

/** "Verify Email" / "Resend verification": a fresh verification link to these users, default every unverified one. */
export async function sendVerification(app: RehomeApp, input: { subscriptionId: string; userIds?: string[]; actor: string }): Promise<VerificationSendResult> {
  const r = await sendComms(app.comms(input.actor), input.subscriptionId, { kind: 'template', template: 'verification', ...(input.userIds ? { userIds: input.userIds } : {}) });
  return { sent: r.sent, duplicate: r.duplicate, failed: r.failed.length, notInAudience: r.notInAudience };
}
