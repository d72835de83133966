// A small OpenID Connect issuer for the browser tests of the SPA's `authProvider: oidc` mode:
// discovery, an authorize endpoint that signs the user in at once and redirects back with a code,
// a token endpoint that checks PKCE (S256) and the redirect URI and issues RS256 access tokens and
// rotating refresh tokens, the JWKS the backend verifies them with, and an end-session endpoint.

import { createServer } from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

export function startFakeOidc({ port, clientId, audience, tokenSeconds = 65 }) {
  const issuer = `http://127.0.0.1:${port}/`;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = b64url(randomBytes(8));
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map();
  const refreshTokens = new Map();
  const stats = { authorize: 0, codeGrants: 0, refreshGrants: 0, pkceFailures: 0, logouts: 0 };

  const jwt = (sub) => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
    const payload = b64url(JSON.stringify({ iss: issuer, aud: audience, sub, iat: now, exp: now + tokenSeconds,
      email: 'oidc-driver@example.com', email_verified: true }));
    const signature = b64url(sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey));
    return `${header}.${payload}.${signature}`;
  };
  const tokens = (sub) => {
    const refresh = b64url(randomBytes(24));
    refreshTokens.set(refresh, sub);
    return { access_token: jwt(sub), token_type: 'Bearer', expires_in: tokenSeconds, refresh_token: refresh };
  };
  const send = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url, issuer);
    if (req.method === 'OPTIONS') {
      return send(res, 204, undefined, { 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': 'GET, POST' });
    }
    if (url.pathname === '/.well-known/openid-configuration') {
      return send(res, 200, { issuer, authorization_endpoint: `${issuer}authorize`, token_endpoint: `${issuer}oauth/token`,
        jwks_uri: `${issuer}.well-known/jwks.json`, end_session_endpoint: `${issuer}logout`,
        code_challenge_methods_supported: ['S256'] });
    }
    if (url.pathname === '/.well-known/jwks.json') return send(res, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      stats.authorize++;
      const q = url.searchParams;
      if (q.get('client_id') !== clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256'
          || !q.get('code_challenge') || !q.get('state') || !q.get('scope')?.includes('openid')) {
        return send(res, 400, { error: 'invalid_request' });
      }
      const code = b64url(randomBytes(16));
      codes.set(code, { challenge: q.get('code_challenge'), redirectUri: q.get('redirect_uri') });
      const back = new URL(q.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state'));
      res.writeHead(302, { Location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('client_id') !== clientId) return send(res, 401, { error: 'invalid_client' });
        if (form.get('grant_type') === 'authorization_code') {
          const entry = codes.get(form.get('code'));
          codes.delete(form.get('code'));
          if (!entry || entry.redirectUri !== form.get('redirect_uri')) return send(res, 400, { error: 'invalid_grant' });
          const expected = b64url(createHash('sha256').update(form.get('code_verifier') ?? '').digest());
          if (expected !== entry.challenge) {
            stats.pkceFailures++;
            return send(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
          }
          stats.codeGrants++;
          return send(res, 200, tokens('oidc|e2e-driver'));
        }
        if (form.get('grant_type') === 'refresh_token') {
          const sub = refreshTokens.get(form.get('refresh_token'));
          refreshTokens.delete(form.get('refresh_token')); // rotation: each refresh token works once
          if (!sub) return send(res, 400, { error: 'invalid_grant' });
          stats.refreshGrants++;
          return send(res, 200, tokens(sub));
        }
        return send(res, 400, { error: 'unsupported_grant_type' });
      });
      return undefined;
    }
    if (url.pathname === '/logout') {
      stats.logouts++;
      res.writeHead(302, { Location: url.searchParams.get('post_logout_redirect_uri') ?? '/' });
      return res.end();
    }
    return send(res, 404, { error: 'not_found' });
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({ issuer, stats, close: () => new Promise((r) => server.close(r)) }));
  });
}
