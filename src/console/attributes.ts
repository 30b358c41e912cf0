// Turns a stored SCIM resource into label/value rows for the detail pages: every attribute,
// nested ones under their dotted path, multi-valued ones one row per element.
export interface AttributeRow {
  path: string;
  /** The attribute in words ("Department"), and the extension schema's short name as a tag. */
  label: string;
  schema: string | null;
  value: string;
  badges: string[]; // e.g. "primary", "work"
}

const URN = /^urn:/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function attributeRows(data: Record<string, unknown>, prefix = ''): AttributeRow[] {
  const rows: AttributeRow[] = [];
  const keys = Object.keys(data).filter((k) => k !== 'schemas');
  // Core attributes first, extension schemas (urn:…) after them.
  keys.sort((a, b) => Number(URN.test(a)) - Number(URN.test(b)));
  for (const k of keys) {
    const v = data[k];
    const path = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) {
      if (v.length === 0) continue;
      for (const el of v) {
        if (el && typeof el === 'object' && !Array.isArray(el)) {
          const o = el as Record<string, unknown>;
          const badges: string[] = [];
          if (typeof o.type === 'string') badges.push(o.type);
          if (o.primary === true) badges.push('primary');
          const main = o.value ?? o.formatted ?? o.display;
          const rest = Object.entries(o).filter(([kk]) => !['type', 'primary', 'value', 'display', '$ref'].includes(kk) && !(kk === 'formatted' && main === o.formatted));
          let value = scalar(main);
          if (typeof o.display === 'string' && main !== o.display) value = value ? `${value} (${o.display})` : o.display;
          if (rest.length) value += `${value ? ' — ' : ''}${rest.map(([kk, vv]) => `${kk}: ${scalar(vv)}`).join(', ')}`;
          rows.push(labelled({ path, value, badges }));
        } else {
          rows.push(labelled({ path, value: scalar(el), badges: [] }));
        }
      }
    } else if (v && typeof v === 'object') {
      rows.push(...attributeRows(v as Record<string, unknown>, URN.test(k) ? k : path));
    } else {
      rows.push(labelled({ path, value: scalar(v), badges: [] }));
    }
  }
  return rows;
}

// Short names for the schemas Entra sends, shown as a tag next to the attribute instead of the URN.
const SCHEMA_TAGS: Record<string, string> = {
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user': 'Enterprise',
  'urn:ietf:params:scim:schemas:core:2.0:user': 'Core',
  'urn:ietf:params:scim:schemas:core:2.0:group': 'Core',
};

const WORDS: Record<string, string> = {
  userName: 'User name',
  displayName: 'Display name',
  externalId: 'External ID',
  nickName: 'Nickname',
  profileUrl: 'Profile URL',
  userType: 'User type',
  preferredLanguage: 'Preferred language',
  givenName: 'Given name',
  familyName: 'Family name',
  middleName: 'Middle name',
  honorificPrefix: 'Prefix',
  honorificSuffix: 'Suffix',
  phoneNumbers: 'Phone numbers',
  ims: 'Instant messaging',
  x509Certificates: 'Certificates',
  employeeNumber: 'Employee number',
  costCenter: 'Cost center',
  streetAddress: 'Street address',
  postalCode: 'Postal code',
  formatted: 'Formatted',
};

function words(key: string): string {
  if (WORDS[key]) return WORDS[key];
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** "urn:…:enterprise:2.0:User.manager.displayName" → label "Manager › Display name", tag "Enterprise". */
export function friendlyPath(path: string): { label: string; schema: string | null } {
  let schema: string | null = null;
  let rest = path;
  if (URN.test(path)) {
    // A URN holds dots in its version ("2.0") but none after its last colon, where the
    // attribute path starts.
    const colon = path.lastIndexOf(':');
    const dot = path.indexOf('.', colon);
    const urn = dot < 0 ? path : path.slice(0, dot);
    rest = dot < 0 ? '' : path.slice(dot + 1);
    schema = SCHEMA_TAGS[urn.toLowerCase()] ?? urn.split(':').filter((x) => x && !/^\d/.test(x)).slice(-2, -1)[0] ?? urn;
  }
  const label = rest ? rest.split('.').map(words).join(' › ') : path;
  return { label, schema };
}

function labelled(r: { path: string; value: string; badges: string[] }): AttributeRow {
  return { ...r, ...friendlyPath(r.path) };
}
