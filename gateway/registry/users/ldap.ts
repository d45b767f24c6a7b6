/** Optional LDAP login source: a simple bind as the user's DN proves the password. */
import { Client } from 'ldapts';

export interface LdapConfig {
  url: string;
  /** DN template: {email} is the user's e-mail, {user} its local part; both DN-escaped. */
  userDn: string;
  timeoutMs: number;
}

/** RFC 4514 escaping of a DN attribute value. */
export function escapeDnValue(v: string): string {
  return v.replace(/[,=+<>#;"\\]/g, (c) => `\\${c}`).replace(/^ | $/g, (c) => `\\${c}`);
}

export function userDn(template: string, email: string): string {
  return template.replaceAll('{email}', escapeDnValue(email)).replaceAll('{user}', escapeDnValue(email.split('@')[0]));
}

export async function ldapBind(cfg: LdapConfig, email: string, password: string): Promise<boolean> {
  const client = new Client({ url: cfg.url, timeout: cfg.timeoutMs, connectTimeout: cfg.timeoutMs });
  try {
    await client.bind(userDn(cfg.userDn, email), password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
