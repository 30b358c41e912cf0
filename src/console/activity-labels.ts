// One verb per activity row, in words a manager reads ("Updated"), instead of the SCIM operation
// and HTTP method side by side ("update PATCH").
const VERBS: Record<string, string> = {
  create: 'Created',
  replace: 'Replaced',
  update: 'Updated',
  delete: 'Deleted',
  bulk: 'Bulk request',
  read: 'Read',
  list: 'Looked up',
  search: 'Searched',
  discovery: 'Read schema',
  auth: 'Refused token',
};

export function activityVerb(operation: string): string {
  return VERBS[operation] ?? operation.charAt(0).toUpperCase() + operation.slice(1);
}
