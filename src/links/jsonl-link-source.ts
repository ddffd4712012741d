/**
 * Stored links from the product's JSON-lines export (`{ kind, id, field, text }` per line). Writes change an
 * in-memory copy with the same optimistic check as the product (`conflict` when the text is not the expected one);
 * `save` writes the rewritten export for the product to import.
 */
import { parseLinksJsonl } from '../adapters/product/files/export-jsonl.ts';
import { readTextFile } from '../importers/text-file.ts';
import { ProductSourceError, type ProductLink } from '../ports/product-source.ts';
import type { LinkSource } from './rewrite-links.ts';

export interface JsonlLinkSource extends LinkSource {
  /** The export as JSON lines, with every accepted update. */
  serialize(): string;
}

export function readJsonlLinkSource(path: string): JsonlLinkSource {
  const links = parseLinksJsonl(readTextFile(path), path);
  const byId = new Map(links.map((l) => [l.id, l]));
  return {
    listLinks: async () => links.map((l) => ({ ...l })),
    async updateLink(id, newText, expectedOldText): Promise<ProductLink> {
      const link = byId.get(id);
      if (link === undefined) throw new ProductSourceError('not_found', `no link ${id} in ${path}`);
      if (link.text !== expectedOldText && link.text !== newText) throw new ProductSourceError('conflict', `link ${id} changed since it was read`);
      link.text = newText;
      return { ...link };
    },
    serialize: () => links.map((l) => JSON.stringify(l)).join('\n') + (links.length > 0 ? '\n' : ''),
  };
}
