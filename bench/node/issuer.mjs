// A stub OpenID issuer for `make bench`: discovery and a JWKS with one RS256 key, and the access
// token it signed for each `sub` named on the command line, printed one per line. Both servers under
// test (mvp-backend in `auth.provider: oidc` mode and the Node reference) trust this issuer, so they
// verify the same token the same way.
//
// Usage: node issuer.mjs PORT AUDIENCE SUB... (prints the tokens, then serves until killed)

import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const [port, audience, ...subjects] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}/`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomBytes(8).toString('base64url');
const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

const token = (sub) => {
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'RS256', typ: 'JWT', kid });
  const body = b64({ iss: issuer, aud: audience, sub, iat: now, exp: now + 3600,
    email: `${sub.replace(/\W/g, '-')}@example.com`, email_verified: true });
  const signature = sign('RSA-SHA256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
};

const documents = {
  '/.well-known/openid-configuration': { issuer, jwks_uri: `${issuer}.well-known/jwks.json` },
  '/.well-known/jwks.json': { keys: [jwk] },
};

createServer((req, res) => {
  const body = documents[new URL(req.url, issuer).pathname];
  res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body ?? { error: 'not_found' }));
}).listen(Number(port), '127.0.0.1', () => {
  for (const sub of subjects) console.log(token(sub));
});
