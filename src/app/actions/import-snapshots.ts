import type { FileInputs, StreamedFileInputs } from '../load-inputs.ts';
import type { RehomeApp } from '../compose.ts';
import { seedDirectoryFromExport } from '../../ims/seed-directory.ts';
import type { SnapshotRef } from '../../store/store.ts';

export interface ImportSnapshotsResult {
  snapshots: SnapshotRef[];
  /** Accounts of the IMS export the embedded IMS did not hold yet and now does (0 with an external IdP). */
  mirrored: number;
}

/**
 * Stores each subscription of the inputs as one immutable snapshot, audited (`rehome import`, the demo). With the
 * embedded IMS, the IMS export describes *that* IMS: the accounts it does not hold yet (by id) are mirrored into it,
 * so that the plan made from the snapshot names accounts that exist where it is applied (apply refuses a plan
 * whose accounts are not there: `plan_drift`). The operator who imports vouches for the export; the mirroring is
 * audited. An external IdP is never written here.
 */
export async function importSnapshots(app: RehomeApp, inputs: FileInputs | StreamedFileInputs, actor: string): Promise<ImportSnapshotsResult> {
  const at = app.now().toISOString();
  let mirrored = 0;
  if (app.config.idp.kind === 'embedded') {
    const ims = await app.ims();
    for (const snap of inputs.snapshots) mirrored += await seedDirectoryFromExport(ims.directory, inputs.ims.accounts, snap.subscription.imsOrg);
    if (mirrored > 0) await app.store.appendAudit({ at, actor, action: 'ims:directory_mirrored', target: inputs.sources.ims, details: { accounts: mirrored } });
  }
  const snapshots: SnapshotRef[] = [];
  for (const [i, snap] of inputs.snapshots.entries()) {
    // Users stream into the store batch by batch (a file read again, or arrays already in memory).
    const ref = await app.store.saveSnapshotStream({
      subscription: snap.subscription, users: snap.users, ims: inputs.ims, at,
      sources: { users: inputs.sources.users[i]!, ims: inputs.sources.ims, subscription: inputs.sources.subscriptions[Math.min(i, inputs.sources.subscriptions.length - 1)]! },
    });
    await app.store.appendAudit({
      at, actor, action: 'snapshot:imported', subscriptionId: ref.subscriptionId, target: ref.id,
      details: { users: ref.userCount, imsAccounts: ref.imsAccountCount, digest: ref.digest },
    });
    snapshots.push(ref);
  }
  return { snapshots, mirrored };
}
