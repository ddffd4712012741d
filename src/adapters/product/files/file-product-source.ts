import type { ProductUser } from '../../../core/model.ts';
import { readProductUsers } from '../../../importers/product-users.ts';
import { readTextFile } from '../../../importers/text-file.ts';
import { ProductSourceError, type ProductSource, type ProductLink, type ProductTicket } from '../../../ports/product-source.ts';
import { parseLinksJsonl, parseTicketsJsonl } from './export-jsonl.ts';

export interface FileProductSourceOptions {
  subscriptionId: string;
  /** Users export: `.csv`, `.jsonl` or `.ndjson` (docs/importing.md). */
  users: string;
  /** Links export (JSON lines); without it the subscription has no stored links. */
  links?: string;
  /** Tickets export (JSON lines); without it, no tickets. */
  tickets?: string;
}

/**
 * ProductSource over the product's export files. Read-only: it cannot write the product's link table or change
 * sign-in, so every write throws `product_read_only` (use the REST adapter for the user phase). Files are read
 * again on every call, so a fresh export is picked up. An attribute cell left empty counts as absent (the export
 * has one column for every attribute any user has).
 */
export function createFileProductSource(options: FileProductSourceOptions): ProductSource {
  const users = (): ProductUser[] => {
    let list: ProductUser[];
    try {
      list = readProductUsers(options.users);
    } catch (cause) {
      throw new ProductSourceError('invalid_file', (cause as Error).message, { cause });
    }
    return list.map((u) => ({ ...u, attributes: Object.fromEntries(Object.entries(u.attributes).filter(([, v]) => v !== '')) }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  };
  const readOptional = <T>(path: string | undefined, parse: (text: string, file: string) => T[]): T[] => {
    if (path === undefined) return [];
    let text: string;
    try {
      text = readTextFile(path);
    } catch (cause) {
      throw new ProductSourceError('invalid_file', (cause as Error).message, { cause });
    }
    return parse(text, path);
  };
  const readOnly = (what: string) => async (): Promise<never> => {
    throw new ProductSourceError('product_read_only', `${what}: this product source reads export files and cannot write to the product; use the REST adapter for the user phase`);
  };
  return {
    listUsers: async () => users(),
    getAccess: async () => users().map((u) => ({ userId: u.id, access: u.access })),
    listLinks: async (): Promise<ProductLink[]> => readOptional(options.links, parseLinksJsonl),
    listTickets: async (): Promise<ProductTicket[]> => readOptional(options.tickets, parseTicketsJsonl),
    updateLink: readOnly('updateLink'),
    writeIdentityLink: readOnly('writeIdentityLink'),
    removeIdentityLink: readOnly('removeIdentityLink'),
    setLoginMode: readOnly('setLoginMode'),
    cutoverUser: readOnly('cutoverUser'),
    cutoverSubscription: readOnly('cutoverSubscription'),
    describe: () => ({ kind: 'files', subscriptionId: options.subscriptionId, writable: false }),
  };
}
