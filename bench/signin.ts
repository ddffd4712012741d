// Sign-in latency in Engage (the reference product) before and after the move, on the `npm start` stack.
//   password         POST /app-<instance>/login -> 303 + session (one argon2id verify in Engage)
//   IMS, first       "Continue with IMS" without an IMS session: Engage -> IMS /auth -> login page -> POST password
//                    (one argon2id verify in the IMS) -> /auth resume -> Engage callback (code exchange, ID token
//                    signature + claims, link lookup) -> 303 + session
//   IMS, returning   the same with an IMS session already there (the common case after the first day): no password
// The servers run in a child process (so the load generator does not share their event loop); the client is
// fetch (undici: keep-alive on, one pool per origin) with a cookie jar per simulated person.
// Target (issue 6): the IMS path at most 10% slower than the password at p50 and p99. See docs/benchmarks.md.
// Usage: node bench/signin.ts [--sequential 100] [--concurrent 200] [--concurrency 8] [--people 40]
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.ts';

const IMS_PASSWORD = 'bench-ims-password-2026';

interface Ready { engage: string; rehome: string; instance: string; password: string; people: { login: string; email: string }[] }
type FromChild = { type: 'ready'; ready: Ready } | { type: 'migrated'; emails: string[] } | { type: 'error'; message: string };

// ---- the servers (child process) ----

async function serve(): Promise<void> {
  const { startDemoStack } = await import('../src/demo/demo-stack.ts');
  const { runDemoMigration } = await import('../src/demo/demo-migration.ts');
  const { listAllUsers } = await import('../examples/engage/src/users/user-records.ts');
  const people = Number(process.argv[process.argv.indexOf('--people') + 1] ?? 40);
  const dir = mkdtempSync(join(tmpdir(), 'rehome-bench-signin-'));
  const stack = await startDemoStack({ dir, rehomePort: 0, engagePort: 0 });
  const send = (m: FromChild): void => void process.send!(m);
  const now = new Date();
  const candidates = listAllUsers(stack.engage.db, stack.logins.subscriptionId)
    .filter((u) => u.status === 'active' && !u.locked && !u.apiOnly && !u.sso && u.emailVerified && u.loginMode === 'legacy' && (u.expiresAt === null || Date.parse(u.expiresAt) > now.getTime()));
  send({ type: 'ready', ready: { engage: stack.engage.url, rehome: stack.rehome.url, instance: stack.logins.instance, password: stack.logins.password, people: candidates.map((u) => ({ login: u.login, email: u.email })) } });
  process.on('message', (m: { type: string; emails?: string[] }) => {
    if (m.type === 'migrate') {
      void (async () => {
        await runDemoMigration(stack);
        // Each person sets their IMS password through their invitation (as in the browser), for `people` of them.
        const ready: string[] = [];
        for (const email of m.emails!) {
          if (ready.length >= people) break;
          const mail = (await stack.rehome.ims.outbox.list({ to: email })).find((x) => x.text.includes('/ims/account/invite?token='));
          const token = mail && /\/ims\/account\/invite\?token=([^\s"<]+)/.exec(mail.text)?.[1];
          if (!token) continue;
          await stack.rehome.ims.accounts.acceptInvitation(decodeURIComponent(token), IMS_PASSWORD);
          ready.push(email);
        }
        send({ type: 'migrated', emails: ready });
      })().catch((e: unknown) => send({ type: 'error', message: String((e as Error)?.stack ?? e) }));
    }
    if (m.type === 'stop') void stack.close().then(() => { rmSync(dir, { recursive: true, force: true }); process.exit(0); });
  });
}

// ---- the client (parent process) ----

class Jar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  header(url: URL): string {
    return [...(this.byOrigin.get(url.origin) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  take(url: URL, res: Response): void {
    let jar = this.byOrigin.get(url.origin);
    if (!jar) this.byOrigin.set(url.origin, jar = new Map());
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
  }
  forget(origin: string, name?: string): void {
    if (name) this.byOrigin.get(origin)?.delete(name);
    else this.byOrigin.delete(origin);
  }
}

async function request(jar: Jar, url: string, form?: Record<string, string>): Promise<Response> {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  const cookie = jar.header(u);
  if (cookie) headers.cookie = cookie;
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(u, { method: form ? 'POST' : 'GET', headers, body: form ? new URLSearchParams(form).toString() : null, redirect: 'manual' });
  jar.take(u, res);
  return res;
}

async function passwordSignIn(r: Ready, jar: Jar, login: string): Promise<void> {
  const res = await request(jar, `${r.engage}/app-${r.instance}/login`, { login, password: r.password, fragment: '' });
  await res.arrayBuffer();
  if (res.status !== 303 || !res.headers.getSetCookie().some((c) => c.startsWith('engage_session='))) throw new Error(`password sign-in failed: ${res.status}`);
}

/** "Continue with IMS" to the product session; types the password at the IMS only if the IMS asks for it. */
async function imsSignIn(r: Ready, jar: Jar, email: string, expectLogin: boolean): Promise<void> {
  let url = `${r.engage}/app-${r.instance}/auth/ims?fragment=`;
  let typed = false;
  for (let hop = 0; hop < 12; hop++) {
    const res = await request(jar, url);
    const location = res.headers.get('location');
    if (res.status === 200 && !typed && url.startsWith(r.rehome)) {
      const page = await res.text();
      const form = /<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(page);
      if (!form) throw new Error(`no login form at ${url}`);
      const fields: Record<string, string> = {};
      for (const m of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[m[1]!] = m[2]!.replaceAll('&amp;', '&');
      const posted = await request(jar, new URL(form[1]!.replaceAll('&amp;', '&'), url).href, { ...fields, email, password: IMS_PASSWORD });
      await posted.arrayBuffer();
      if (posted.status !== 303) throw new Error(`IMS login refused: ${posted.status}`);
      typed = true;
      url = new URL(posted.headers.get('location')!, url).href;
      continue;
    }
    await res.arrayBuffer();
    if (res.status < 300 || res.status >= 400 || !location) throw new Error(`IMS sign-in stopped at ${url}: ${res.status}`);
    if (url.startsWith(`${r.engage}/auth/ims/callback`)) {
      if (!res.headers.getSetCookie().some((c) => c.startsWith('engage_session='))) throw new Error('callback set no session');
      if (typed !== expectLogin) throw new Error(`expected ${expectLogin ? 'a' : 'no'} password prompt at the IMS`);
      return;
    }
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

interface Stats { n: number; p50: number; p99: number; mean: number; perSecond: number }

async function timed(total: number, concurrency: number, one: (i: number) => Promise<void>): Promise<Stats> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const t = performance.now();
      await one(i);
      samples.push(performance.now() - t);
    }
  }));
  const wall = performance.now() - started;
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!;
  return { n: samples.length, p50: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length, perSecond: samples.length / (wall / 1000) };
}

async function drive(): Promise<void> {
  const { values } = parseArgs({ options: {
    sequential: { type: 'string', default: '100' }, concurrent: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '8' }, people: { type: 'string', default: '40' },
  } });
  const seq = Number(values.sequential);
  const conc = Number(values.concurrent);
  const c = Number(values.concurrency);
  const child = fork(import.meta.filename, ['--serve', '--people', values.people!], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (): Promise<FromChild> => new Promise((resolve, reject) => {
    child.once('message', (m: FromChild) => (m.type === 'error' ? reject(new Error(m.message)) : resolve(m)));
    child.once('exit', (code) => reject(new Error(`server process exited ${code}`)));
  });
  try {
    await bench(child, next, { seq, conc, c, people: Number(values.people) });
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

async function bench(child: ReturnType<typeof fork>, next: () => Promise<FromChild>, o: { seq: number; conc: number; c: number; people: number }): Promise<void> {
  const { seq, conc, c } = o;
  const ready = ((await next()) as Extract<FromChild, { type: 'ready' }>).ready;
  const people = ready.people.slice(0, o.people);
  console.log(describeMachine());
  console.log(`Engage ${ready.engage}, IMS ${ready.rehome}/ims; ${people.length} people; ${seq} sequential, then ${conc} at concurrency ${c}; client: fetch with keep-alive, servers in a child process`);
  const rows: [string, Stats, Stats][] = [];
  const run = async (name: string, one: (i: number) => Promise<void>): Promise<void> => {
    for (let i = 0; i < 10; i++) await one(i); // warm up (JIT, discovery, JWKS, prepared statements)
    const s = await timed(seq, 1, one);
    const cc = await timed(conc, c, one);
    rows.push([name, s, cc]);
  };

  await run('password (before)', (i) => passwordSignIn(ready, new Jar(), people[i % people.length]!.login));

  child.send({ type: 'migrate', emails: people.map((p) => p.email) });
  const migrated = ((await next()) as Extract<FromChild, { type: 'migrated' }>).emails;
  if (migrated.length === 0) throw new Error('nobody could sign in with the IMS after the migration');
  await run('IMS first sign-in (password at the IMS)', (i) => imsSignIn(ready, new Jar(), migrated[i % migrated.length]!, true));
  // One jar per person, holding the IMS session; each sign-in starts without a product session.
  const jars = migrated.map(() => new Jar());
  for (const [k, email] of migrated.entries()) await imsSignIn(ready, jars[k]!, email, true);
  await run('IMS returning sign-in (IMS session)', async (i) => {
    const k = i % migrated.length;
    jars[k]!.forget(ready.engage);
    await imsSignIn(ready, jars[k]!, migrated[k]!, false);
  });

  const fmt = (x: number): string => x.toFixed(1).padStart(7);
  console.log(`\n${'path'.padEnd(42)} ${'sequential p50'.padStart(14)} ${'p99'.padStart(7)}   ${`concurrent(${c}) p50`.padStart(18)} ${'p99'.padStart(7)} ${'per s'.padStart(7)}`);
  for (const [name, s, cc] of rows) console.log(`${name.padEnd(42)} ${fmt(s.p50).padStart(14)} ${fmt(s.p99)}   ${fmt(cc.p50).padStart(18)} ${fmt(cc.p99)} ${fmt(cc.perSecond)}`);
  const base = rows[0]!;
  console.log('\nrelative to the password (target: at most +10% at p50 and p99):');
  for (const [name, s, cc] of rows.slice(1)) {
    const pct = (a: number, b: number): string => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(0)}%`;
    const ok = (a: number, b: number): string => (a <= b * 1.1 ? 'ok' : 'OVER');
    console.log(`  ${name.padEnd(40)} sequential p50 ${pct(s.p50, base[1].p50)} ${ok(s.p50, base[1].p50)}, p99 ${pct(s.p99, base[1].p99)} ${ok(s.p99, base[1].p99)}; concurrent p50 ${pct(cc.p50, base[2].p50)} ${ok(cc.p50, base[2].p50)}, p99 ${pct(cc.p99, base[2].p99)} ${ok(cc.p99, base[2].p99)}`);
  }
  child.send({ type: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));
}

// Last, so the classes above are initialised before the top-level await runs.
if (process.argv.includes('--serve')) await serve();
else await drive();
