// Pure console pieces: the SVG chart, the CSV encoder, the flow cookie, attribute rendering.
import t from 'tap';
import { fillHours, niceMax, renderActivityChart } from '../src/console/chart.ts';
import { csvCell, csvRow } from '../src/console/csv.ts';
import { newFlow, openFlow, safeNext, sealFlow } from '../src/console/flow-cookie.ts';
import { attributeRows } from '../src/console/attributes.ts';

t.test('csv: RFC 4180 quoting and formula-injection prefix', async (t) => {
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell(null), '');
  t.equal(csvCell(undefined), '');
  t.equal(csvCell(42), '42');
  t.equal(csvCell(-5), '-5', 'numbers are data, not formulas');
  t.equal(csvCell(new Date('2026-11-28T10:00:00Z')), '2026-11-28T10:00:00.000Z');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('line1\nline2'), '"line1\nline2"');
  t.equal(csvCell('cr\rhere'), '"cr\rhere"');
  for (const lead of ['=', '+', '-', '@']) t.equal(csvCell(`${lead}SUM(A1)`), `'${lead}SUM(A1)`, `prefix ${lead}`);
  t.equal(csvCell('\t=1'), "'\t=1");
  t.equal(csvCell('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`, 'prefixed then quoted');
  t.equal(csvCell('a=b'), 'a=b', 'only a leading sign matters');
  t.equal(csvRow(['a', 1, null, 'b,c']), 'a,1,,"b,c"\r\n');
});

t.test('chart: hours filled, stacked bars, accessible labels, escaped text', async (t) => {
  const end = new Date('2026-11-28T10:30:00Z');
  const buckets = fillHours(
    [
      { hour: new Date('2026-11-28T10:00:00Z'), requests: 10, failures: 3 },
      { hour: new Date('2026-11-28T08:00:00Z'), requests: 4, failures: 0 },
      { hour: new Date('2026-11-20T08:00:00Z'), requests: 99, failures: 0 }, // outside the window
    ],
    end,
    24,
  );
  t.equal(buckets.length, 24);
  t.equal(buckets[0].hour.toISOString(), '2026-11-27T11:00:00.000Z');
  t.same(buckets[23], { hour: new Date('2026-11-28T10:00:00Z'), success: 7, failure: 3 });
  t.same(buckets[21], { hour: new Date('2026-11-28T08:00:00Z'), success: 4, failure: 0 });
  t.equal(buckets.filter((b) => b.success + b.failure > 0).length, 2);

  const svg = renderActivityChart(buckets, { title: 'Requests <per> hour & "more"' });
  t.match(svg, /^<svg [^>]*role="img"/);
  t.match(svg, '<title id="chart-title">Requests &lt;per&gt; hour &amp; &quot;more&quot;</title>');
  t.match(svg, '14 requests in 24 hours: 11 succeeded, 3 failed.');
  t.equal((svg.match(/fill="#2f6fdf"/g) ?? []).length, 2, 'one success bar per non-empty hour');
  t.equal((svg.match(/fill="#c8372d"/g) ?? []).length, 1, 'one failure segment');
  t.match(svg, '2026-11-28 10:00 UTC: 7 succeeded, 3 failed');
  t.match(svg, '>00:00<', 'every third hour labelled on a day-long chart');
  t.match(renderActivityChart(fillHours([], end, 168), { title: 'x' }), '>11-28<', 'midnight label on a week of hours');
  t.notMatch(svg, /<script|href=|style=/i, 'no script, links or inline styles');
  // Bar heights are proportional: max 10 → scale top 10; the 7-success bar is 70 % of plot height.
  const rects = [...svg.matchAll(/<rect x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)" fill="([^"]+)"/g)];
  const plotH = 220 - 12 - 28;
  const success10 = rects.find((r) => r[3] === '#2f6fdf' && Math.abs(Number(r[2]) - plotH * 0.7) < 0.05);
  t.ok(success10, 'success bar height = 70 % of plot');
  const fail = rects.find((r) => r[3] === '#c8372d')!;
  t.ok(Math.abs(Number(fail[2]) - plotH * 0.3) < 0.05, 'failure segment stacked on top');

  const empty = renderActivityChart(fillHours([], end, 168), { title: 'x' });
  t.match(empty, '0 requests in 168 hours');
  t.notMatch(empty, '<rect');
});

t.test('chart: niceMax rounds up to 1/2/5 steps', async (t) => {
  t.same([0, 1, 3, 7, 10, 11, 260, 999].map(niceMax), [1, 1, 5, 10, 10, 20, 500, 1000]);
});

t.test('flow cookie: tamper-proof, expiring; next is console-relative only', async (t) => {
  const key = Buffer.alloc(32, 7);
  const f = newFlow('/console/users?q=a');
  const sealed = sealFlow(f, key);
  t.same(openFlow(sealed, key), f);
  t.equal(openFlow(sealed, Buffer.alloc(32, 8)), null, 'other key');
  const [body, mac] = sealed.split('.');
  const forged = Buffer.from(JSON.stringify({ ...f, next: '/console/x' })).toString('base64url');
  t.equal(openFlow(`${forged}.${mac}`, key), null, 'altered body');
  t.equal(openFlow(`${body}.`, key), null);
  t.equal(openFlow(sealed, key, f.exp + 1), null, 'expired');
  t.equal(openFlow(undefined, key), null);
  t.equal(safeNext('/console/users?q=a'), '/console/users?q=a');
  for (const bad of ['https://evil.test/', '//evil.test', '/console//evil.test', '/oauth/authorize', '/console/../x', 5, '/consolex']) {
    t.equal(safeNext(bad), '/console', `refused ${String(bad)}`);
  }
});

t.test('attributes: every attribute, nested paths, one row per multi-value element', async (t) => {
  const rows = attributeRows({
    schemas: ['x'],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales', manager: { value: 'm1', displayName: 'Boss' } },
    userName: 'a@b',
    active: false,
    name: { givenName: 'A', familyName: 'B' },
    emails: [
      { value: 'a@b', type: 'work', primary: true },
      { value: 'a@home', type: 'home' },
    ],
    roles: [],
  });
  const ext = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
  t.same(
    rows.map((r) => [r.path, r.value, r.badges.join('|')]),
    [
      ['userName', 'a@b', ''],
      ['active', 'false', ''],
      ['name.givenName', 'A', ''],
      ['name.familyName', 'B', ''],
      ['emails', 'a@b', 'work|primary'],
      ['emails', 'a@home', 'home'],
      [`${ext}.department`, 'Sales', ''],
      [`${ext}.manager.value`, 'm1', ''],
      [`${ext}.manager.displayName`, 'Boss', ''],
    ],
  );
});

t.test('chart: gridline labels are whole numbers', async (t) => {
  const svg = renderActivityChart([{ hour: new Date('2026-11-28T10:00:00Z'), success: 41, failure: 3 }], { title: 'x' });
  const labels = [...svg.matchAll(/text-anchor="end"[^>]*>([^<]+)</g)].map((m) => m[1]);
  t.same(labels, ['0', '10', '20', '30', '40', '50']);
});
