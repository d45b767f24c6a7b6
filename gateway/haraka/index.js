'use strict'
/**
 * vanthu plugin for Haraka. Install: copy (or symlink) this folder to <haraka>/plugins/vanthu,
 * add the line `vanthu` to <haraka>/config/plugins and write <haraka>/config/vanthu.ini.
 *
 * rcpt: accepts the unit addresses vanthu publishes (GET /api/units, cached) and reply addresses
 *   act+<token>@<unit domain> (officers' replies to notices, docs/act-by-email.md); 550 for others
 *   (or leaves them to other plugins with reject_unknown=false); 451 while vanthu cannot be asked.
 * queue: streams the message to vanthu (POST /api/messages?source=haraka) and answers OK only
 *   once vanthu has stored it durably; DENYSOFT otherwise, so the sender retries. The token in
 *   vanthu.ini must be a relay token (http.tokens role: relay): only it may hand over the envelope.
 */
const lib = require('./lib.js')

exports.register = function () {
  this.load_vanthu_ini()
  this.register_hook('rcpt', 'vanthu_rcpt')
  this.register_hook('queue', 'vanthu_queue')
}

exports.load_vanthu_ini = function () {
  const ini = this.config.get('vanthu.ini', { booleans: ['+main.reject_unknown'] }, () => this.load_vanthu_ini())
  this.settings = lib.readSettings(ini.main || {})
  if (this.directory) this.directory.stop()
  this.directory = new lib.Directory(
    () => lib.fetchDirectory(this.settings),
    this.settings.refreshMs,
    (err) => this.logwarn(`vanthu: cannot refresh the unit directory: ${err.message}`),
  )
  this.directory.start()
}

exports.vanthu_rcpt = function (next, connection, params) {
  const txn = connection.transaction
  const address = lib.addressOf(params[0])
  this.directory.has(address).then(
    (known) => {
      if (known) {
        txn.notes.vanthu_rcpts = [...(txn.notes.vanthu_rcpts || []), address]
        return next(lib.C.OK)
      }
      if (!this.settings.rejectUnknown) return next()
      next(lib.C.DENY, new lib.DSN(550, '5.1.1', `Không có đơn vị nhận thư này (no such unit address): ${address}`))
    },
    (err) => {
      connection.logwarn(this, `vanthu: unit directory unavailable: ${err.message}`)
      next(...lib.unavailable(err))
    },
  )
}

exports.vanthu_queue = function (next, connection) {
  const txn = connection.transaction
  const rcptTo = txn.notes.vanthu_rcpts || []
  if (!rcptTo.length) return next() // not for vanthu: other queue plugins deliver it
  const envelope = {
    rcptTo,
    mailFrom: lib.addressOf(txn.mail_from) || null,
    remoteIp: connection.remote && connection.remote.ip,
    helo: connection.hello && connection.hello.host,
  }
  lib.handOff(this.settings, envelope, (req) => txn.message_stream.pipe(req)).then(
    (res) => {
      const [code, msg] = lib.queueReply(res)
      if (code !== lib.C.OK) {
        const hint = lib.credentialHint(res.status)
        connection.logwarn(this, `vanthu answered ${res.status}${hint ? `: ${hint}` : ''}`)
      }
      next(code, msg)
    },
    (err) => {
      if (txn.message_stream.unpipe) txn.message_stream.unpipe()
      connection.logwarn(this, `vanthu hand-off failed: ${err.message}`)
      next(...lib.unavailable(err))
    },
  )
}

exports.shutdown = function () {
  if (this.directory) this.directory.stop()
}
