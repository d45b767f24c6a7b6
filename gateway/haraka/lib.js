'use strict'
/**
 * The logic of the vanthu Haraka plugin, free of Haraka so it can be unit-tested: settings, the
 * cached unit directory, the streamed hand-off to POST /api/messages and what each answer means.
 */
const http = require('node:http')
const https = require('node:https')

/** Return codes of haraka-constants (fixed numbers; not required so the plugin needs no install). */
const C = Object.freeze({ CONT: 900, DENY: 902, DENYSOFT: 903, OK: 906 })

/** Haraka's respond() takes the SMTP code from an object whose class is named DSN. */
class DSN {
  constructor(code, enhanced, text) {
    this.code = code
    this.msg = text
    this.reply = `${enhanced} ${text}`
  }
}

function positive(value, fallback) {
  const n = Number(value)
  return Number.isFinite(n) && n > 0 ? n : fallback
}

/** [main] of vanthu.ini -> settings; throws with the key at fault. */
function readSettings(main) {
  const url = String(main.url || '').trim().replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]+/.test(url)) throw new Error(`vanthu.ini: main.url must be the http(s) URL of the vanthu gateway, got "${main.url || ''}"`)
  const token = String(main.token || '').trim()
  if (!token) throw new Error('vanthu.ini: main.token is empty (a relay token: an http.tokens entry of vanthu with role: relay)')
  return {
    url,
    token,
    timeoutMs: positive(main.timeout, 25) * 1000,
    refreshMs: positive(main.refresh, 300) * 1000,
    rejectUnknown: main.reject_unknown !== false && main.reject_unknown !== 'false',
  }
}

/** Lower-case user@host of a Haraka address (a getter in @haraka/email-address 3, a method before). */
function addressOf(a) {
  if (!a) return ''
  const v = typeof a.address === 'function' ? a.address() : a.address
  if (v) return String(v).toLowerCase()
  return a.user ? `${a.user}@${a.host || ''}`.toLowerCase() : ''
}

/** One HTTP request to vanthu; `write(req)` streams the body. Resolves with status and parsed JSON. */
function request(settings, method, path, write) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, `${settings.url}/`)
    const mod = url.protocol === 'https:' ? https : http
    const headers = { authorization: `Bearer ${settings.token}`, accept: 'application/json' }
    if (write) headers['content-type'] = 'message/rfc822'
    const req = mod.request(url, { method, headers, timeout: settings.timeoutMs })
    const timer = setTimeout(() => req.destroy(new Error(`vanthu did not answer within ${settings.timeoutMs} ms`)), settings.timeoutMs)
    req.on('timeout', () => req.destroy(new Error(`vanthu did not answer within ${settings.timeoutMs} ms`)))
    req.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    req.on('response', (res) => {
      const chunks = []
      res.on('data', (d) => chunks.push(d))
      res.on('error', reject)
      res.on('end', () => {
        clearTimeout(timer)
        let body = null
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        } catch {
          body = null
        }
        resolve({ status: res.statusCode, body })
      })
    })
    if (write) write(req)
    else req.end()
  })
}

/**
 * The local part of a reply address, act+<token> (docs/act-by-email.md): the same test as vanthu's
 * actTokenOf in gateway/config/act-by-mail.ts. Tokens are lower-case base32; case is ignored.
 */
const REPLY_LOCAL_PART = /^act\+[a-z2-7]{8,60}$/i

/**
 * The directory from GET /api/units: the published unit addresses, and the domains at which vanthu
 * takes reply addresses act+<token>@<domain> (none from a vanthu without act by e-mail).
 */
async function fetchDirectory(settings) {
  const res = await request(settings, 'GET', '/api/units')
  if (res.status !== 200 || !res.body || !Array.isArray(res.body.units)) throw new Error(`GET /api/units answered ${res.status}`)
  return {
    addresses: new Set(res.body.units.flatMap((u) => u.addresses.map((a) => String(a).toLowerCase()))),
    replyDomains: new Set((Array.isArray(res.body.replyDomains) ? res.body.replyDomains : []).map((d) => String(d).toLowerCase())),
  }
}

/** Whether vanthu takes mail for `address` (lower-case): a unit address, or a reply address at a reply domain. */
function knows(directory, address) {
  // A bare Set: unit addresses only (a directory loaded by hand, e.g. in tests).
  if (directory instanceof Set) return directory.has(address)
  if (directory.addresses.has(address)) return true
  const at = address.lastIndexOf('@')
  return at > 0 && directory.replyDomains.has(address.slice(at + 1)) && REPLY_LOCAL_PART.test(address.slice(0, at))
}

/**
 * The directory, cached and refreshed in the background. Until a first load succeeds every
 * lookup tries again (and fails: the caller answers 451); later failures keep the last copy.
 */
class Directory {
  constructor(load, refreshMs, onError = () => undefined) {
    this.load = load
    this.refreshMs = refreshMs
    this.onError = onError
    this.addresses = null
    this.loading = null
    this.timer = null
  }

  refresh() {
    this.loading ??= this.load()
      .then((set) => {
        this.addresses = set
        return set
      })
      .finally(() => {
        this.loading = null
      })
    return this.loading
  }

  start() {
    this.refresh().catch(this.onError)
    this.timer = setInterval(() => this.refresh().catch(this.onError), this.refreshMs)
    this.timer.unref()
  }

  stop() {
    clearInterval(this.timer)
  }

  async has(address) {
    const directory = this.addresses ?? (await this.refresh())
    return knows(directory, address)
  }
}

/** Streams a message to POST /api/messages; `pipe(dest)` writes it (Haraka: message_stream.pipe). */
function handOff(settings, envelope, pipe) {
  const q = new URLSearchParams()
  for (const to of envelope.rcptTo) q.append('to', to)
  q.set('source', 'haraka')
  if (envelope.mailFrom) q.set('mailFrom', envelope.mailFrom)
  if (envelope.remoteIp) q.set('remoteIp', envelope.remoteIp)
  if (envelope.helo) q.set('helo', envelope.helo)
  return request(settings, 'POST', `/api/messages?${q}`, pipe)
}

/** Why vanthu refused the plugin's credential, for Haraka's log (the sender only hears 4xx). */
function credentialHint(status) {
  if (status === 401) return 'vanthu does not know the token in vanthu.ini'
  if (status === 403) return 'the token in vanthu.ini is not a relay token (vanthu http.tokens: role: relay)'
  return null
}

/** What the sender hears for vanthu's answer: [Haraka return code, message]. */
function queueReply(res) {
  if (res.status === 201 || res.status === 200) return [C.OK, `vanthu ${res.body && res.body.id}${res.status === 200 ? ' (duplicate)' : ''}`]
  if (res.status === 413) return [C.DENY, new DSN(552, '5.3.4', 'Thư quá lớn (message too large)')]
  const why = (res.body && res.body.message) || `HTTP ${res.status}`
  return [C.DENYSOFT, new DSN(451, '4.3.0', `vanthu chưa lưu được thư, hãy gửi lại sau (not stored, try again later): ${why}`)]
}

function unavailable(err) {
  return [C.DENYSOFT, new DSN(451, '4.3.0', `vanthu tạm thời không trả lời, hãy gửi lại sau (temporarily unavailable: ${err.message})`)]
}

module.exports = { C, DSN, readSettings, addressOf, request, fetchDirectory, knows, Directory, handOff, queueReply, unavailable, credentialHint }
