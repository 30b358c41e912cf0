// Turns a stored SCIM resource into label/value rows for the detail pages: every attribute,
// nested ones under their dotted path, multi-valued ones one row per element (issue 4 §3).
export interface AttributeRow {
  path: string;
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
          rows.push({ path, value, badges });
        } else {
          rows.push({ path, value: scalar(el), badges: [] });
        }
      }
    } else if (v && typeof v === 'object') {
      rows.push(...attributeRows(v as Record<string, unknown>, URN.test(k) ? k : path));
    } else {
      rows.push({ path, value: scalar(v), badges: [] });
    }
  }
  return rows;
}
