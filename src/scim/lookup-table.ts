// Name → entry tables indexed by client-supplied names (filter attributes, sortBy). A plain object
// literal answers `constructor`, `__proto__`, `toString`… from Object.prototype, which then flow
// on as if they were entries (a 500 for `filter=constructor eq "x"`); these tables have no
// prototype, so an unknown name is simply absent.
export function lookupTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
