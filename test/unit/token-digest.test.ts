// The digest is the key under which every stored token row and every cache entry lives: preparing
// the key once must not change a single digest, or every token issued before the change stops
// resolving.
import { test } from 'tap';
import crypto from 'node:crypto';
import { tokenDigester } from '../../src/secrets/token-digest.ts';
import { subkey } from '../../src/secrets/seal.ts';

test('digest equals HMAC-SHA256 under the raw token-digest subkey', async (t) => {
  const dataKey = Buffer.alloc(32, 7);
  const digest = tokenDigester(dataKey);
  const raw = subkey(dataKey, 'securelogin token digest v1');
  for (const value of ['abc', 'x'.repeat(43), 'ünïcödé-token', '']) {
    t.equal(digest(value), crypto.createHmac('sha256', raw).update(value, 'utf8').digest('base64url'), `digest of ${JSON.stringify(value.slice(0, 8))}`);
  }
  t.equal(digest('abc'), digest('abc'), 'deterministic');
  t.not(tokenDigester(Buffer.alloc(32, 8))('abc'), digest('abc'), 'another data key gives another digest');
});
