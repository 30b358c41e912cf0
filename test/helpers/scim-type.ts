// What a synchronous call throws, as its SCIM error type: the scimType of a ScimError,
// `threw <name>: <message>` for anything else, undefined when it returns.
export function scimType(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { scimType?: string }).scimType ?? `threw ${(e as Error).name}: ${(e as Error).message}`;
  }
  return undefined;
}
