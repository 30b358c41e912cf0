// What people type into "Go to domain": `acme`, ` ACME `, `acme.<our host>`, and
// in practice also a pasted URL such as `https://acme.<our host>/`.
export function domainCandidates(input: string, publicHost: string): string[] {
  let d = input.trim().toLowerCase();
  d = d.replace(/^[a-z][a-z0-9+.-]*:\/\//, ''); // scheme
  d = d.split(/[/?#]/)[0] ?? '';
  d = d.replace(/:\d+$/, '').replace(/\.+$/, '');
  if (!d) return [];
  const out = [d];
  const host = publicHost.toLowerCase();
  if (d.endsWith(`.${host}`) && d.length > host.length + 1) out.push(d.slice(0, -(host.length + 1)));
  return out;
}
