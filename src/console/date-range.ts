// Date-range filter of the activity pages: `from` and `to` are calendar days (YYYY-MM-DD, UTC, as
// every console timestamp is), both inclusive; anything else is ignored rather than refused.
export interface DateRange {
  from?: Date;
  /** Exclusive upper bound: the start of the day after `to`. */
  to?: Date;
  fromParam: string;
  toParam: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function day(v: unknown): Date | undefined {
  if (typeof v !== 'string' || !DAY.test(v)) return undefined;
  const d = new Date(`${v}T00:00:00.000Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v ? undefined : d;
}

export function dateRange(q: Record<string, unknown>): DateRange {
  const from = day(q.from);
  const toDay = day(q.to);
  return {
    from,
    to: toDay ? new Date(toDay.getTime() + 86_400_000) : undefined,
    fromParam: from ? (q.from as string) : '',
    toParam: toDay ? (q.to as string) : '',
  };
}
