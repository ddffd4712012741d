import type { ImsAccount } from '../../core/model.ts';
import { imsDb } from '../../ims/ims-tables.ts';
import { writeImsDirectoryCsv } from '../../exporters/ims-directory-csv.ts';
import { AppError } from '../app-error.ts';
import type { RehomeApp } from '../compose.ts';

/**
 * The embedded IMS's accounts in the Admin Console export layout (`rehome ims export`): the `--ims` file of a fresh
 * `rehome import`, so that readiness and a new plan see the IMS as it is now (the way out of `plan_drift`). Pages
 * through the table; nothing identifying a person is logged, the file is the operator's.
 */
export async function exportImsDirectory(app: RehomeApp, actor: string): Promise<{ csv: string; accounts: number }> {
  if (app.config.idp.kind !== 'embedded') throw new AppError('not_configured', 'rehome ims export reads the embedded IMS; with an external IdP, export its directory there');
  const db = imsDb(app.store);
  const accounts: ImsAccount[] = [];
  for (let after = ''; ;) {
    const page = await db.selectFrom('ims_accounts').selectAll().where('id', '>', after).orderBy('id').limit(5000).execute();
    for (const r of page) {
      const at = r.email.lastIndexOf('@');
      accounts.push({
        id: r.id, type: r.type as ImsAccount['type'], username: r.user_name, domain: at < 0 ? '' : r.email.slice(at + 1), email: r.email,
        emailVerified: Number(r.email_verified) === 1, firstName: r.first_name, lastName: r.last_name, countryCode: '',
        status: r.status as ImsAccount['status'], productConfigurations: [], adminRoles: [], attributes: {},
      });
    }
    if (page.length < 5000) break;
    after = page[page.length - 1]!.id;
  }
  await app.store.appendAudit({ at: app.now().toISOString(), actor, action: 'ims:directory_exported', details: { accounts: accounts.length } });
  return { csv: writeImsDirectoryCsv(accounts), accounts: accounts.length };
}
