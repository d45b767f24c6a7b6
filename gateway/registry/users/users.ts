/**
 * Users, logins and sessions. Local users carry a scrypt hash; LDAP users (source "ldap") log in
 * by an LDAP bind and keep their role and unit here. A login gives a random bearer token whose
 * SHA-256 is stored with an expiry.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Config } from '../../config/load.ts';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import { appendAudit } from '../audit.ts';
import type { Clock } from '../../clock.ts';
import { ROLES, type UserRole } from '../../config/registry.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import { sessions, users } from '../schema.ts';
import { RegistryError } from '../errors.ts';

export type UserRow = typeof users.$inferSelect;
export type PublicUser = Omit<UserRow, 'passwordHash'>;

export interface NewUser {
  email: string;
  name: string;
  unitId: string;
  role: UserRole;
  department?: string | null;
  password?: string | null;
  source?: 'local' | 'ldap';
}

export function publicUser(u: UserRow): PublicUser {
  const { passwordHash: _p, ...rest } = u;
  return rest;
}

export function checkNewUser(config: Config, u: NewUser): void {
  if (!ROLES.includes(u.role)) throw new RegistryError(400, `vai trò không hợp lệ (role must be one of ${ROLES.join(', ')}): ${u.role}`);
  if (!config.units.some((x) => x.id === u.unitId)) throw new RegistryError(400, `không có đơn vị (unknown unit): ${u.unitId}`);
  if (!/^[^\s@]+@[^\s@]+$/.test(u.email)) throw new RegistryError(400, `email không hợp lệ (invalid email): ${u.email}`);
  if (!u.name.trim()) throw new RegistryError(400, 'thiếu họ tên (name is required)');
  if ((u.source ?? 'local') === 'local' && (!u.password || u.password.length < 8))
    throw new RegistryError(400, 'mật khẩu tối thiểu 8 ký tự (password: at least 8 characters)');
}

export async function addUser(db: Db, config: Config, u: NewUser, actor: string, clock: Clock): Promise<PublicUser> {
  checkNewUser(config, u);
  const email = u.email.trim().toLowerCase();
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  return db.transaction(async (tx) => {
    const [dup] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (dup) throw new RegistryError(409, `người dùng đã tồn tại (user exists): ${email}`);
    const at = clock.now();
    const [row] = await tx
      .insert(users)
      .values({
        id: newId(at.getTime()),
        email,
        name: u.name.normalize('NFC').trim(),
        unitId: u.unitId,
        role: u.role,
        department: u.department ?? null,
        passwordHash,
        source: u.source ?? 'local',
        createdAt: at,
      })
      .returning();
    await appendAudit(
      tx,
      { actor, action: 'user.add', entity: 'user', entityId: row.id, data: { email, unitId: u.unitId, role: u.role, source: row.source } },
      at,
    );
    return publicUser(row);
  });
}

export async function listUsers(db: Db, unitId?: string | null): Promise<PublicUser[]> {
  const list = await db
    .select()
    .from(users)
    .where(unitId ? eq(users.unitId, unitId) : undefined)
    .orderBy(users.email);
  return list.map(publicUser);
}

export async function findUser(db: Db, idOrEmail: string): Promise<UserRow | undefined> {
  const key = idOrEmail.includes('@') ? eq(users.email, idOrEmail.toLowerCase()) : eq(users.id, idOrEmail);
  const [u] = await db.select().from(users).where(key);
  return u;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: PublicUser;
}

/** Checks the password (locally or by LDAP bind) and opens a session; null when it does not match. */
export async function login(db: Db, config: Config, email: string, password: string, clock: Clock): Promise<LoginResult | null> {
  const r = await loginAttempt(db, config, email, password, clock);
  return r.ok ? r.session : null;
}

export type LoginFailure = 'unknown-user' | 'inactive' | 'wrong-password';

/** As login, saying why an attempt failed (for the audit log; the API answers every failure alike). */
export async function loginAttempt(
  db: Db,
  config: Config,
  email: string,
  password: string,
  clock: Clock,
): Promise<{ ok: true; session: LoginResult } | { ok: false; reason: LoginFailure; userId: string | null }> {
  const user = await findUser(db, email.trim());
  if (!user?.active) {
    await checkPassword(password, null); // same work either way: no user enumeration by timing
    return { ok: false, reason: user ? 'inactive' : 'unknown-user', userId: user?.id ?? null };
  }
  const ok = user.source === 'ldap' ? await ldapLogin(config, user, password) : await checkPassword(password, user.passwordHash);
  if (!ok) return { ok: false, reason: 'wrong-password', userId: user.id };
  return { ok: true, session: await openSession(db, config, user, clock) };
}

async function openSession(db: Db, config: Config, user: UserRow, clock: Clock): Promise<LoginResult> {
  const token = randomBytes(32).toString('base64url');
  const at = clock.now();
  const expiresAt = new Date(at.getTime() + config.registry.sessionHours * 3600_000);
  await db.transaction(async (tx) => {
    await tx.delete(sessions).where(and(eq(sessions.userId, user.id), lt(sessions.expiresAt, at)));
    await tx.insert(sessions).values({ tokenHash: hashToken(token), userId: user.id, createdAt: at, expiresAt });
    await appendAudit(tx, { actor: user.email, action: 'user.login', entity: 'user', entityId: user.id, data: { source: user.source } }, at);
  });
  return { token, expiresAt, user: publicUser(user) };
}

async function ldapLogin(config: Config, user: UserRow, password: string): Promise<boolean> {
  const ldap = config.registry.ldap;
  if (!ldap || !password) return false;
  // ldapts loads with the first LDAP login (docs/operations.md, "Memory").
  const { ldapBind } = await import('./ldap.ts');
  return ldapBind(ldap, user.email, password);
}

export async function logout(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
}

/** The active user behind a session token, or null (unknown, expired, deactivated). */
export async function sessionUser(db: Db, token: string, clock: Clock): Promise<UserRow | null> {
  const [row] = await db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, clock.now())));
  return row?.user.active ? row.user : null;
}

/** Every refused login goes into the audit log: who was tried, from where, why (never the password). */
export async function recordLoginFailure(
  db: Db,
  attempt: { email: string; ip: string; reason: LoginFailure | 'throttled'; userId: string | null; retryAfter?: number },
  clock: Clock,
): Promise<void> {
  const email = attempt.email.trim().toLowerCase().slice(0, 320);
  const at = clock.now();
  await db.transaction((tx) =>
    appendAudit(
      tx,
      {
        actor: `ip:${attempt.ip}`,
        action: attempt.reason === 'throttled' ? 'user.login_throttled' : 'user.login_failed',
        entity: 'user',
        entityId: attempt.userId ?? `email:${email}`,
        data: { email, ip: attempt.ip, reason: attempt.reason, ...(attempt.retryAfter ? { retryAfter: attempt.retryAfter } : {}) },
      },
      at,
    ),
  );
}
