// Every SCIM attribute of User (core and enterprise extension) and Group, one row each, with where
// it is stored. The only hand-written schema knowledge: discovery (/Schemas, RFC 7643 §7), case
// sensitivity, the stored query columns (index.ts), filter translation and key lookups
// (filter/), and sorting all derive from these rows. Adding a filterable attribute is one row
// here (plus its column in prisma/schema.prisma when it needs a new one).
//
// Only attributes the service really stores and returns are declared: Entra adds every
// discovered attribute to its provisioning mapping list. `password` is deliberately absent:
// changePassword is false and credentials are never stored in the SCIM document. Rows of schema
// `common` (RFC 7643 §3.1: id, externalId, meta) are handled by the mappers, not the schema
// documents; only externalId is declared in discovery, so that schema-driven clients find it.
export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';
export type Resource = 'User' | 'Group';
export type AttrSchema = 'core' | 'enterprise' | 'common';

/** One side of a membership comparison: a ScimMember column, or a column of a related row. */
export interface MemberSide {
  column: string;
  nullable: boolean;
  /** The to-one relation holding `column`, and its key on ScimMember (null: a required relation). */
  via?: { relation: string; key: string | null };
}

export type Storage =
  /** Only in the stored JSON document: returned, never queried. */
  | { kind: 'document' }
  /** A column of ScimUser/ScimGroup derived from the document (lower-cased unless caseExact);
   * `absent` is stored when the attribute is missing. */
  | { kind: 'column'; column: string; nullable: boolean; absent?: boolean | string }
  /** A NOT NULL column the server owns (id, creation and modification instants). */
  | { kind: 'server'; column: string }
  /** meta.resourceType: the same constant on every row. */
  | { kind: 'resourceType' }
  /** A single-valued complex attribute: its sub-attributes have the storage. */
  | { kind: 'complex' }
  /** A multi-valued attribute stored one ScimUserValue row per element, `attr` = its name. */
  | { kind: 'valueRows' }
  /** A sub-attribute of a `valueRows` attribute: a ScimUserValue column. */
  | { kind: 'valueColumn'; column: string; nullable: boolean }
  /** groups (User) / members (Group): ScimMember rows through this relation of the resource. */
  | { kind: 'membership'; relation: 'memberships' | 'members' }
  /** A sub-attribute of a membership: true when one of the sides matches. */
  | { kind: 'member'; sides: MemberSide[] }
  /** members.type: "User" or "Group", i.e. which member key column is set. */
  | { kind: 'memberType'; byType: Readonly<Record<string, string>> };

export interface AttrRow {
  resource: Resource;
  schema: AttrSchema;
  /** `name` or `parent.name`. */
  path: string;
  name: string;
  parent?: string;
  type: AttrType;
  multiValued: boolean;
  caseExact: boolean;
  required: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  description: string;
  storage: Storage;
  filterable: boolean;
  sortable: boolean;
  /** One of Entra's matching attributes, answered by an indexed key lookup (filter/key-lookup.ts). */
  matching: boolean;
}

interface Opts {
  type?: AttrType;
  multiValued?: boolean;
  caseExact?: boolean;
  required?: boolean;
  mutability?: Mutability;
  returned?: Returned;
  uniqueness?: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  filterable?: boolean;
  matching?: boolean;
}

function row(resource: Resource, schema: AttrSchema, path: string, storage: Storage, description: string, o: Opts = {}): AttrRow {
  const dot = path.indexOf('.');
  const queryable = storage.kind !== 'document';
  const r: AttrRow = {
    resource,
    schema,
    path,
    name: dot < 0 ? path : path.slice(dot + 1),
    type: o.type ?? (storage.kind === 'complex' || storage.kind === 'valueRows' || storage.kind === 'membership' ? 'complex' : 'string'),
    multiValued: o.multiValued ?? (storage.kind === 'valueRows' || storage.kind === 'membership'),
    caseExact: o.caseExact ?? false,
    required: o.required ?? false,
    mutability: o.mutability ?? 'readWrite',
    returned: o.returned ?? 'default',
    uniqueness: o.uniqueness ?? 'none',
    description,
    storage,
    filterable: o.filterable ?? queryable,
    sortable: storage.kind === 'column' || storage.kind === 'server',
    matching: o.matching ?? false,
  };
  if (dot >= 0) r.parent = path.slice(0, dot);
  if (o.canonicalValues) r.canonicalValues = o.canonicalValues;
  if (o.referenceTypes) r.referenceTypes = o.referenceTypes;
  return r;
}

// ---- storage shorthands ---------------------------------------------------------------------------

const DOC: Storage = { kind: 'document' };
const COMPLEX: Storage = { kind: 'complex' };
const ROWS: Storage = { kind: 'valueRows' };
const key = (column: string): Storage => ({ kind: 'column', column, nullable: true });
const vkey = (column: string): Storage => ({ kind: 'valueColumn', column, nullable: true });
const PRIMARY: Storage = { kind: 'valueColumn', column: 'primary', nullable: false };
const u = (path: string, s: Storage, d: string, o?: Opts) => row('User', 'core', path, s, d, o);
const e = (path: string, s: Storage, d: string, o?: Opts) => row('User', 'enterprise', path, s, d, o);
const g = (path: string, s: Storage, d: string, o?: Opts) => row('Group', 'core', path, s, d, o);

// Descriptions the standard multi-valued sub-attributes share (RFC 7643 §2.4).
const DISPLAY = 'A human-readable name, primarily used for display purposes.';
const TYPE = `A label indicating the attribute's function.`;
const PRIMARY_D = `A Boolean value indicating the 'primary' or preferred attribute value for this attribute.`;
const BOOL: Opts = { type: 'boolean' };
const EXTERNAL = { type: 'reference', referenceTypes: ['external'] } as const satisfies Opts;

/** A multi-valued attribute with the standard value/display/type/primary sub-attributes (RFC 7643
 * §2.4), one ScimUserValue row per element; `value` stored in valueKey unless said otherwise. */
function multi(name: string, d: string, valueD: string, types: string[], value: { storage?: Storage; opts?: Opts } = {}): AttrRow[] {
  return [
    u(name, ROWS, d),
    u(`${name}.value`, value.storage ?? vkey('valueKey'), valueD, value.opts),
    u(`${name}.display`, vkey('displayKey'), DISPLAY),
    u(`${name}.type`, vkey('typeKey'), TYPE, { canonicalValues: types }),
    u(`${name}.primary`, PRIMARY, PRIMARY_D, BOOL),
  ];
}

/** id, externalId and meta (RFC 7643 §3.1), for either resource. */
function common(resource: Resource): AttrRow[] {
  const c = (path: string, s: Storage, d: string, o?: Opts) => row(resource, 'common', path, s, d, o);
  return [
    c('id', { kind: 'server', column: 'id' }, 'A unique identifier for a SCIM resource as defined by the service provider.', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server', matching: resource === 'User' }),
    c('externalId', { kind: 'column', column: 'externalId', nullable: true }, 'An identifier for the resource as defined by the provisioning client.', { caseExact: true, matching: resource === 'User' }),
    c('meta', COMPLEX, 'A complex attribute containing resource metadata.', { mutability: 'readOnly', filterable: false }),
    c('meta.resourceType', { kind: 'resourceType' }, 'The name of the resource type of the resource.', { caseExact: true, mutability: 'readOnly' }),
    c('meta.created', { kind: 'server', column: 'createdAt' }, 'The DateTime that the resource was added to the service provider.', { type: 'dateTime', mutability: 'readOnly' }),
    c('meta.lastModified', { kind: 'server', column: 'updatedAt' }, 'The most recent DateTime that the details of this resource were updated at the service provider.', { type: 'dateTime', mutability: 'readOnly' }),
    c('meta.location', DOC, 'The URI of the resource being returned.', { type: 'reference', caseExact: true, mutability: 'readOnly' }),
    c('meta.version', DOC, 'The version of the resource being returned.', { caseExact: true, mutability: 'readOnly' }),
  ];
}

export const USER_ROWS: readonly AttrRow[] = [
  ...common('User'),
  u('userName', { kind: 'column', column: 'userNameKey', nullable: false, absent: '' }, 'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.', { required: true, uniqueness: 'server', matching: true }),
  u('name', COMPLEX, `The components of the user's real name.`),
  u('name.formatted', key('formattedNameKey'), 'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.'),
  u('name.familyName', key('familyNameKey'), 'The family name of the User.'),
  u('name.givenName', key('givenNameKey'), 'The given name of the User.'),
  u('name.middleName', key('middleNameKey'), 'The middle name(s) of the User.'),
  u('name.honorificPrefix', key('honorificPrefixKey'), 'The honorific prefix(es) of the User.'),
  u('name.honorificSuffix', key('honorificSuffixKey'), 'The honorific suffix(es) of the User.'),
  u('displayName', key('displayNameKey'), 'The name of the User, suitable for display to end-users.'),
  u('nickName', key('nickNameKey'), 'The casual way to address the user in real life.'),
  u('profileUrl', key('profileUrlKey'), `A fully qualified URL pointing to a page representing the User's online profile.`, EXTERNAL),
  u('title', key('titleKey'), `The user's title, such as "Vice President".`),
  u('userType', key('userTypeKey'), 'Used to identify the relationship between the organization and the user.'),
  u('preferredLanguage', key('preferredLanguageKey'), `Indicates the User's preferred written or spoken language.`),
  u('locale', key('localeKey'), `Used to indicate the User's default location for purposes of localizing items.`),
  u('timezone', key('timezoneKey'), `The User's time zone in the 'Olson' time zone database format.`),
  // An absent `active` is stored as active (the column default), as most IdPs assume.
  u('active', { kind: 'column', column: 'active', nullable: false, absent: true }, `A Boolean value indicating the User's administrative status.`, BOOL),
  ...multi('emails', 'Email addresses for the user.', 'Email addresses for the user.', ['work', 'home', 'other']),
  ...multi('phoneNumbers', 'Phone numbers for the User.', 'Phone number of the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  ...multi('ims', 'Instant messaging addresses for the User.', 'Instant messaging address for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
  ...multi('photos', 'URLs of photos of the User.', 'URL of a photo of the User.', ['photo', 'thumbnail'], { opts: EXTERNAL }),
  u('addresses', ROWS, 'A physical mailing address for this User.'),
  u('addresses.formatted', vkey('formattedKey'), 'The full mailing address, formatted for display or use with a mailing label.'),
  u('addresses.streetAddress', vkey('streetKey'), 'The full street address component.'),
  u('addresses.locality', vkey('localityKey'), 'The city or locality component.'),
  u('addresses.region', vkey('regionKey'), 'The state or region component.'),
  u('addresses.postalCode', vkey('postalCodeKey'), 'The zip code or postal code component.'),
  u('addresses.country', vkey('countryKey'), 'The country name component.'),
  u('addresses.type', vkey('typeKey'), TYPE, { canonicalValues: ['work', 'home', 'other'] }),
  u('addresses.primary', PRIMARY, PRIMARY_D, BOOL),
  u('groups', { kind: 'membership', relation: 'memberships' }, 'A list of groups to which the user belongs, either through direct membership or through nested groups.', { mutability: 'readOnly' }),
  u('groups.value', { kind: 'member', sides: [{ column: 'groupId', nullable: false }] }, `The identifier of the User's group.`, { caseExact: true, mutability: 'readOnly' }),
  u('groups.$ref', DOC, `The URI of the corresponding 'Group' resource to which the user belongs.`, { type: 'reference', referenceTypes: ['Group'], mutability: 'readOnly' }),
  u('groups.display', { kind: 'member', sides: [{ column: 'displayNameKey', nullable: false, via: { relation: 'group', key: null } }] }, DISPLAY, { mutability: 'readOnly' }),
  // Every membership is direct: no value to filter on.
  u('groups.type', DOC, TYPE, { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' }),
  ...multi('entitlements', 'A list of entitlements for the User that represent a thing the User has.', 'The value of an entitlement.', []),
  ...multi('roles', 'A list of roles for the User that collectively represent who the User is.', 'The value of a role.', []),
  // Certificates are large base64 blobs: not indexed, so filtering on their value is refused.
  ...multi('x509Certificates', 'A list of certificates issued to the User.', 'The value of an X.509 certificate.', [], { storage: DOC, opts: { type: 'binary', caseExact: true } }),
  e('employeeNumber', key('employeeNumberKey'), 'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.'),
  e('costCenter', key('costCenterKey'), 'Identifies the name of a cost center.'),
  e('organization', key('organizationKey'), 'Identifies the name of an organization.'),
  e('division', key('divisionKey'), 'Identifies the name of a division.'),
  e('department', key('departmentKey'), 'Identifies the name of a department.'),
  e('manager', COMPLEX, `The User's manager.`),
  e('manager.value', { kind: 'column', column: 'managerId', nullable: true }, 'The id of the SCIM resource representing the User\'s manager.', { caseExact: true }),
  e('manager.$ref', DOC, `The URI of the SCIM resource representing the User's manager.`, { type: 'reference', referenceTypes: ['User'] }),
  e('manager.displayName', DOC, `The displayName of the User's manager.`, { mutability: 'readOnly' }),
];

export const GROUP_ROWS: readonly AttrRow[] = [
  ...common('Group'),
  g('displayName', { kind: 'column', column: 'displayNameKey', nullable: false, absent: '' }, 'A human-readable name for the Group.', { required: true, uniqueness: 'server' }),
  g('members', { kind: 'membership', relation: 'members' }, 'A list of members of the Group.'),
  g('members.value', { kind: 'member', sides: [{ column: 'userId', nullable: true }, { column: 'memberGroupId', nullable: true }] }, 'Identifier of the member of this Group.', { mutability: 'immutable', caseExact: true }),
  g('members.$ref', DOC, 'The URI corresponding to a SCIM resource that is a member of this Group.', { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
  // A member User's displayName may be absent; a member Group's never is.
  g('members.display', { kind: 'member', sides: [
    { column: 'displayNameKey', nullable: true, via: { relation: 'user', key: 'userId' } },
    { column: 'displayNameKey', nullable: false, via: { relation: 'memberGroup', key: 'memberGroupId' } },
  ] }, 'A human-readable name for the member.', { mutability: 'readOnly' }),
  g('members.type', { kind: 'memberType', byType: { user: 'userId', group: 'memberGroupId' } }, 'A label indicating the type of resource, e.g., "User" or "Group".', { canonicalValues: ['User', 'Group'], mutability: 'immutable' }),
];
