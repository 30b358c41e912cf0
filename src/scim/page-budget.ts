// A list page bounded by bytes as well as by count. RFC 7644 §3.4.2.4 lets a server return fewer
// resources than `count` asked for, with itemsPerPage saying how many: the client continues from
// startIndex + itemsPerPage. So a page stops adding resources once their JSON reaches the byte
// budget (it always holds at least one, or a large resource could never be read), and the rows
// are fetched in steps so that what is held in memory at once is one step, not the whole `count`.
import type { Resource } from './users-service.ts';

/** One step of rows from the repository; `withTotal` false skips the COUNT (the first step has it). */
export type PageFetch<R> = (skip: number, take: number, withTotal: boolean) => Promise<{ total: number; records: R[] }>;

export interface BoundedPage {
  total: number;
  resources: Resource[];
  /** JSON bytes of `resources` (each plus one for the separating comma). */
  bytes: number;
  /** The byte budget stopped the page before `count` (more resources follow). */
  truncated: boolean;
}

export async function boundedPage<R>(o: {
  startIndex: number;
  count: number;
  maxBytes: number;
  step: number;
  /** false when the page continues one that already holds resources (POST /.search). */
  atLeastOne?: boolean;
  fetch: PageFetch<R>;
  render: (r: R) => Resource;
}): Promise<BoundedPage> {
  const skip = o.startIndex - 1;
  const out: Resource[] = [];
  let bytes = 0;
  let total = 0;
  let first = true;
  do {
    const take = Math.min(o.step, o.count - out.length);
    const page = await o.fetch(skip + out.length, take, first);
    if (first) total = page.total;
    first = false;
    for (const rec of page.records) {
      const res = o.render(rec);
      const size = Buffer.byteLength(JSON.stringify(res)) + 1;
      if (bytes + size > o.maxBytes && (out.length > 0 || o.atLeastOne === false)) return { total, resources: out, bytes, truncated: true };
      out.push(res);
      bytes += size;
    }
    if (page.records.length < take) break;
  } while (out.length < o.count);
  return { total, resources: out, bytes, truncated: false };
}
