import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { TestBrowser } from './support/browser.ts';
import { discoverRp, RP, signInAndGetTokens, startAuthorization, signUp, startTestServer, submitLinkForm } from './support/ims-harness.ts';
import { postgresTestDatabase, sqliteTestDatabase } from './support/test-databases.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`restart and key rotation on ${kind}`, () => {
    test('a restarted server keeps sessions, refresh tokens and the signing key; rotation keeps old tokens verifiable', async () => {
      const database = kind === 'sqlite' ? sqliteTestDatabase('restart') : await postgresTestDatabase('restart');
      try {
        let store = await database.open();
        let server = await startTestServer(store);
        const browser = new TestBrowser(server.url);
        const link = await signUp(server, browser, { email: 'dee@example.test', password: 'dee password 123' });
        await submitLinkForm(browser, link, { password: 'dee password 123' });
        const tokens = await signInAndGetTokens(await discoverRp(server), browser, 'dee@example.test', 'dee password 123');
        const firstUrl = server.url;
        await server.close();
        await store[Symbol.asyncDispose]();

        // Same database, new process state, new port (the issuer follows the URL, as a redeploy would keep it).
        store = await database.open();
        server = await startTestServer(store);
        const rp = await discoverRp(server);
        assert.notEqual(server.url, firstUrl);
        // The refresh token was minted by the first instance; its state lives in the database.
        const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
        assert.ok(refreshed.access_token);
        assert.equal((await oidc.fetchUserInfo(rp, refreshed.access_token, tokens.claims()!.sub)).email, 'dee@example.test');

        // The browser session survived too: a new authorization needs no password.
        const sameBrowser = new TestBrowser(server.url);
        for (const [name, value] of browser.cookies) sameBrowser.cookies.set(name, value);
        const start = await startAuthorization(rp);
        const end = await sameBrowser.follow(start.url.href, RP.redirectUri);
        assert.ok(end.url.startsWith(RP.redirectUri), 'signed in without the login page');

        const jwks = createRemoteJWKSet(new URL(`${server.url}/ims/jwks`));
        const before = await jwtVerify(refreshed.id_token!, jwks);
        const newKid = await server.ims.oidc.rotateSigningKey();
        assert.notEqual(before.protectedHeader.kid, newKid);
        const jwksAfter = createRemoteJWKSet(new URL(`${server.url}/ims/jwks`), { cacheMaxAge: 0 });
        // The old token still verifies: the previous key stays published...
        await jwtVerify(refreshed.id_token!, jwksAfter);
        // ...and new tokens are signed with the new key.
        const again = await oidc.refreshTokenGrant(rp, refreshed.refresh_token ?? tokens.refresh_token!);
        const after = await jwtVerify(again.id_token!, jwksAfter);
        assert.equal(after.protectedHeader.kid, newKid);
        await server.close();
        await store[Symbol.asyncDispose]();
      } finally {
        await database.drop();
      }
    });
  });
}
