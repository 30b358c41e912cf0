// Attribute definitions (RFC 7643 §7, §8.7.1) — the single source for discovery (/Schemas),
// body mapping (fromScim), PATCH target resolution and name canonicalisation. Only attributes the
// service really stores, returns and (where a column exists) filters are declared (entra-protocol
// §4: Entra adds every discovered attribute to its mapping list). `password` is deliberately not
// declared: changePassword is false and we never store credentials in the SCIM document.
import { ENTERPRISE_URN, GROUP_URN, USER_URN } from './urns.ts';

export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttrDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttrDef[];
}

type Opts = Partial<Omit<AttrDef, 'name' | 'description'>>;

function a(name: string, description: string, o: Opts = {}): AttrDef {
  const d: AttrDef = {
    name,
    type: o.type ?? 'string',
    multiValued: o.multiValued ?? false,
    description,
    required: o.required ?? false,
    caseExact: o.caseExact ?? false,
    mutability: o.mutability ?? 'readWrite',
    returned: o.returned ?? 'default',
    uniqueness: o.uniqueness ?? 'none',
  };
  if (o.canonicalValues) d.canonicalValues = o.canonicalValues;
  if (o.referenceTypes) d.referenceTypes = o.referenceTypes;
  if (o.subAttributes) d.subAttributes = o.subAttributes;
  return d;
}

/** value/display/type/primary: the sub-attributes shared by most multi-valued attributes. */
function multi(name: string, description: string, valueDesc: string, types: string[], valueOpts: Opts = {}): AttrDef {
  return a(name, description, {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      a('value', valueDesc, valueOpts),
      a('display', 'A human-readable name, primarily used for display purposes.'),
      a('type', `A label indicating the attribute's function.`, { canonicalValues: types }),
      a('primary', `A Boolean value indicating the 'primary' or preferred attribute value for this attribute.`, { type: 'boolean' }),
    ],
  });
}

export const USER_ATTRIBUTES: AttrDef[] = [
  a('userName', 'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.', { required: true, uniqueness: 'server' }),
  a('name', `The components of the user's real name.`, {
    type: 'complex',
    subAttributes: [
      a('formatted', 'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.'),
      a('familyName', 'The family name of the User.'),
      a('givenName', 'The given name of the User.'),
      a('middleName', 'The middle name(s) of the User.'),
      a('honorificPrefix', 'The honorific prefix(es) of the User.'),
      a('honorificSuffix', 'The honorific suffix(es) of the User.'),
    ],
  }),
  a('displayName', 'The name of the User, suitable for display to end-users.'),
  a('nickName', 'The casual way to address the user in real life.'),
  a('profileUrl', `A fully qualified URL pointing to a page representing the User's online profile.`, { type: 'reference', referenceTypes: ['external'] }),
  a('title', `The user's title, such as "Vice President".`),
  a('userType', 'Used to identify the relationship between the organization and the user.'),
  a('preferredLanguage', `Indicates the User's preferred written or spoken language.`),
  a('locale', `Used to indicate the User's default location for purposes of localizing items.`),
  a('timezone', `The User's time zone in the 'Olson' time zone database format.`),
  a('active', `A Boolean value indicating the User's administrative status.`, { type: 'boolean' }),
  multi('emails', 'Email addresses for the user.', 'Email addresses for the user.', ['work', 'home', 'other']),
  multi('phoneNumbers', 'Phone numbers for the User.', 'Phone number of the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multi('ims', 'Instant messaging addresses for the User.', 'Instant messaging address for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
  multi('photos', 'URLs of photos of the User.', 'URL of a photo of the User.', ['photo', 'thumbnail'], { type: 'reference', referenceTypes: ['external'] }),
  a('addresses', 'A physical mailing address for this User.', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      a('formatted', 'The full mailing address, formatted for display or use with a mailing label.'),
      a('streetAddress', 'The full street address component.'),
      a('locality', 'The city or locality component.'),
      a('region', 'The state or region component.'),
      a('postalCode', 'The zip code or postal code component.'),
      a('country', 'The country name component.'),
      a('type', `A label indicating the attribute's function.`, { canonicalValues: ['work', 'home', 'other'] }),
      a('primary', `A Boolean value indicating the 'primary' or preferred attribute value for this attribute.`, { type: 'boolean' }),
    ],
  }),
  a('groups', 'A list of groups to which the user belongs, either through direct membership or through nested groups.', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      a('value', `The identifier of the User's group.`, { mutability: 'readOnly' }),
      a('$ref', `The URI of the corresponding 'Group' resource to which the user belongs.`, { type: 'reference', referenceTypes: ['Group'], mutability: 'readOnly' }),
      a('display', 'A human-readable name, primarily used for display purposes.', { mutability: 'readOnly' }),
      a('type', `A label indicating the attribute's function.`, { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' }),
    ],
  }),
  multi('entitlements', 'A list of entitlements for the User that represent a thing the User has.', 'The value of an entitlement.', []),
  multi('roles', 'A list of roles for the User that collectively represent who the User is.', 'The value of a role.', []),
  multi('x509Certificates', 'A list of certificates issued to the User.', 'The value of an X.509 certificate.', [], { type: 'binary', caseExact: true }),
];

export const ENTERPRISE_ATTRIBUTES: AttrDef[] = [
  a('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.'),
  a('costCenter', 'Identifies the name of a cost center.'),
  a('organization', 'Identifies the name of an organization.'),
  a('division', 'Identifies the name of a division.'),
  a('department', 'Identifies the name of a department.'),
  a('manager', `The User's manager.`, {
    type: 'complex',
    subAttributes: [
      a('value', 'The id of the SCIM resource representing the User\'s manager.', { caseExact: true }),
      a('$ref', `The URI of the SCIM resource representing the User's manager.`, { type: 'reference', referenceTypes: ['User'] }),
      a('displayName', `The displayName of the User's manager.`, { mutability: 'readOnly' }),
    ],
  }),
];

export const GROUP_ATTRIBUTES: AttrDef[] = [
  a('displayName', 'A human-readable name for the Group.', { required: true, uniqueness: 'server' }),
  a('members', 'A list of members of the Group.', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      a('value', 'Identifier of the member of this Group.', { mutability: 'immutable', caseExact: true }),
      a('$ref', 'The URI corresponding to a SCIM resource that is a member of this Group.', { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
      a('display', 'A human-readable name for the member.', { mutability: 'readOnly' }),
      a('type', 'A label indicating the type of resource, e.g., "User" or "Group".', { canonicalValues: ['User', 'Group'], mutability: 'immutable' }),
    ],
  }),
];

/** Common attributes (RFC 7643 §3.1) handled by the mappers, not by the schema documents. */
export const READ_ONLY_COMMON = ['id', 'meta', 'schemas'];

export type SchemaId = typeof USER_URN | typeof ENTERPRISE_URN | typeof GROUP_URN;

export function findAttr(defs: AttrDef[], name: string): AttrDef | undefined {
  const n = name.toLowerCase();
  return defs.find((d) => d.name.toLowerCase() === n);
}

export function findSub(def: AttrDef, name: string): AttrDef | undefined {
  return def.subAttributes ? findAttr(def.subAttributes, name) : undefined;
}

/** A User attribute resolved to its home: the core document or the enterprise extension object. */
export interface ResolvedAttr {
  schema: typeof USER_URN | typeof ENTERPRISE_URN;
  def: AttrDef;
}

/** Resolves a User attribute name, optionally URN-qualified, case-insensitively (Q5). Enterprise
 * attributes also resolve without their URN (names do not collide with core; legacy E08). */
export function resolveUserAttr(uri: string | undefined, name: string): ResolvedAttr | undefined {
  const u = uri?.toLowerCase();
  if (u === undefined || u === USER_URN.toLowerCase()) {
    const core = findAttr(USER_ATTRIBUTES, name);
    if (core) return { schema: USER_URN, def: core };
  }
  if (u === undefined || u === ENTERPRISE_URN.toLowerCase()) {
    const ent = findAttr(ENTERPRISE_ATTRIBUTES, name);
    if (ent) return { schema: ENTERPRISE_URN, def: ent };
  }
  return undefined;
}

export function resolveGroupAttr(uri: string | undefined, name: string): AttrDef | undefined {
  if (uri !== undefined && uri.toLowerCase() !== GROUP_URN.toLowerCase()) return undefined;
  return findAttr(GROUP_ATTRIBUTES, name);
}
