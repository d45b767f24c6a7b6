/*
 * A test double of Office.js for an Outlook mailbox, served by the browser tests in place of
 * Microsoft's office.js. It provides exactly what addin/src/host.ts uses: Office.onReady, the
 * display language, requirement sets, roaming settings, the current item (read or compose) with
 * getAsFileAsync / body / attachments (a compose item: subject and recipients through getAsync,
 * getAttachmentsAsync), and ItemChanged for a pinned pane.
 *
 * Roaming settings last as long as the tab (sessionStorage): each new page starts signed out.
 * Configure before the page loads: window.__officeDoubleConfig = { displayLanguage, mailboxVersion,
 * userProfile, item }. Drive it from the test: window.__officeDouble.selectItem(item), .calls.
 */
(function () {
  'use strict';
  var config = window.__officeDoubleConfig || {};
  var handlers = [];
  var calls = [];
  var ROAMING_KEY = '__officeDoubleRoaming';

  function ok(value) {
    return { status: 'succeeded', value: value };
  }
  function failed(message) {
    return { status: 'failed', value: undefined, error: { message: message, code: 9000 } };
  }
  function later(cb, result) {
    setTimeout(function () {
      if (cb) cb(result);
    }, 0);
  }
  function versionAtMost(v, max) {
    var a = String(v).split('.').map(Number);
    var b = String(max).split('.').map(Number);
    for (var i = 0; i < Math.max(a.length, b.length); i++) {
      var x = a[i] || 0;
      var y = b[i] || 0;
      if (x !== y) return x < y;
    }
    return true;
  }
  function utf8ToBase64(text) {
    var bytes = new TextEncoder().encode(text);
    var bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  function readItem(spec) {
    return {
      itemType: 'message',
      itemId: spec.itemId || 'AAMk-' + Math.random().toString(36).slice(2),
      internetMessageId: spec.internetMessageId || '',
      subject: spec.subject || '',
      from: spec.from || null,
      to: spec.to || [],
      cc: spec.cc || [],
      dateTimeCreated: spec.dateTimeCreated ? new Date(spec.dateTimeCreated) : new Date(),
      attachments: attachmentDetails(spec),
      body: {
        getAsync: function (format, cb) {
          calls.push('body.getAsync');
          later(cb, ok(spec.bodyText || ''));
        },
      },
      getAsFileAsync: function (cb) {
        calls.push('getAsFileAsync');
        if (!versionAtMost('1.14', config.mailboxVersion || '1.14')) return later(cb, failed('getAsFileAsync needs Mailbox 1.14'));
        later(cb, spec.mime ? ok(utf8ToBase64(spec.mime)) : failed('no MIME for this item'));
      },
      getAttachmentContentAsync: function (id, cb) {
        attachmentContent(spec, id, cb);
      },
    };
  }

  function attachmentDetails(spec) {
    return (spec.attachments || []).map(function (a, i) {
      return { id: 'att' + i, name: a.name, contentType: a.contentType, size: a.base64.length, isInline: false, attachmentType: 'file' };
    });
  }
  function attachmentContent(spec, id, cb) {
    calls.push('getAttachmentContentAsync:' + id);
    if (!versionAtMost('1.8', config.mailboxVersion || '1.14')) return later(cb, failed('getAttachmentContentAsync needs Mailbox 1.8'));
    var a = (spec.attachments || [])[Number(String(id).replace('att', ''))];
    later(cb, a ? ok({ format: 'base64', content: a.base64 }) : failed('no such attachment'));
  }

  /* A compose form: subject and recipients behind getAsync, the draft's attachments (Mailbox 1.8). */
  function composeItem(spec) {
    return {
      itemType: 'message',
      subject: {
        getAsync: function (cb) {
          later(cb, ok(spec.subject || ''));
        },
      },
      to: {
        getAsync: function (cb) {
          calls.push('to.getAsync');
          later(cb, ok(spec.to || []));
        },
      },
      body: {
        getAsync: function (format, cb) {
          later(cb, ok(spec.bodyText || ''));
        },
      },
      getAttachmentsAsync: function (cb) {
        calls.push('getAttachmentsAsync');
        later(cb, ok(attachmentDetails(spec)));
      },
      getAttachmentContentAsync: function (id, cb) {
        attachmentContent(spec, id, cb);
      },
    };
  }

  function makeItem(spec) {
    if (!spec) return null;
    return spec.compose ? composeItem(spec) : readItem(spec);
  }

  var roaming = JSON.parse(sessionStorage.getItem(ROAMING_KEY) || '{}');
  var mailbox = {
    item: makeItem(config.item),
    userProfile: config.userProfile || { displayName: 'Test User', emailAddress: 'user@stc.lamdong.gov.vn' },
    addHandlerAsync: function (type, handler, cb) {
      if (type === 'olkItemSelectedChanged') handlers.push(handler);
      later(cb, ok(undefined));
    },
  };

  window.Office = {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    EventType: { ItemChanged: 'olkItemSelectedChanged' },
    HostType: { Outlook: 'Outlook' },
    onReady: function () {
      return Promise.resolve({ host: 'Outlook', platform: 'OfficeOnline' });
    },
    context: {
      displayLanguage: config.displayLanguage || 'vi-VN',
      requirements: {
        isSetSupported: function (name, version) {
          return String(name).toLowerCase() === 'mailbox' && versionAtMost(version || '1.1', config.mailboxVersion || '1.14');
        },
      },
      roamingSettings: {
        get: function (name) {
          return roaming[name];
        },
        set: function (name, value) {
          roaming[name] = value;
        },
        remove: function (name) {
          delete roaming[name];
        },
        saveAsync: function (cb) {
          sessionStorage.setItem(ROAMING_KEY, JSON.stringify(roaming));
          calls.push('roamingSettings.saveAsync');
          later(cb, ok(undefined));
        },
      },
      mailbox: mailbox,
    },
  };

  window.__officeDouble = {
    calls: calls,
    roaming: function () {
      return roaming;
    },
    /** A pinned pane follows the selection: replace the item and fire ItemChanged. */
    selectItem: function (spec) {
      mailbox.item = makeItem(spec);
      handlers.forEach(function (h) {
        h({ type: 'olkItemSelectedChanged' });
      });
    },
  };
})();
