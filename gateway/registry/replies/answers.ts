/**
 * The answers to replies (docs/act-by-email.md, "Answers"): what was done and the item's new
 * state, why nothing was done, or the list of commands. Vietnamese first, English below.
 */
import { vnDate } from '../books/book-data.ts';
import type { DocumentRow } from '../books/register.ts';
import { about, book, COMMAND_LINES, type Notice } from '../workflow/notices.ts';
import type { CommandKind } from './parse.ts';

export const STATUS_VI: Record<string, string> = {
  review: 'chờ văn thư duyệt',
  quarantined: 'đang cách ly',
  received: 'đã vào sổ, chờ giao xử lý',
  assigned: 'đã giao, chờ xử lý',
  in_progress: 'đang xử lý',
  done: 'đã xử lý xong',
  returned: 'đã trả lại nơi gửi',
  not_document: 'không phải văn bản',
  linked: 'đã liên kết với văn bản khác',
};

const COMMAND_VI: Record<CommandKind, string> = {
  done: 'đã xử lý (done)',
  comment: 'ý kiến (comment)',
  extend: 'gia hạn (extend)',
  forward: 'chuyển (forward)',
  decline: 'từ chối (decline)',
  view: 'xem (view)',
};

const short = (d: DocumentRow) => d.notation ?? d.subject ?? d.id;

/** The item's state as the answer ends with it. */
export function stateLines(d: DocumentRow, assignee: string | null): string[] {
  return [
    '',
    `Văn bản ${book(d)}:`,
    about(d),
    `Trạng thái (state): ${STATUS_VI[d.status] ?? d.status} (${d.status})`,
    `Hạn xử lý (due): ${d.dueDate ? vnDate(d.dueDate) : '—'} · Cán bộ xử lý (assignee): ${assignee ?? '—'}`,
  ];
}

export interface Applied {
  command: CommandKind;
  /** What was done, in a sentence (Vietnamese with English in brackets). */
  detail: string;
}

export function confirmAnswer(a: Applied, d: DocumentRow, assignee: string | null): Notice {
  return {
    subject: `Đã thực hiện: ${COMMAND_VI[a.command]} — ${short(d)} (confirmation)`,
    text: [`Đã thực hiện lệnh ${COMMAND_VI[a.command]}.`, a.detail, ...stateLines(d, assignee), '', 'Thư này được gửi tự động (automatic message).'].join('\n'),
  };
}

export function notAppliedAnswer(command: CommandKind | 'invalid', d: DocumentRow | null, why: string, assignee: string | null): Notice {
  const what = command === 'invalid' ? 'lệnh' : COMMAND_VI[command];
  return {
    subject: `Chưa thực hiện: ${what}${d ? ` — ${short(d)}` : ''} (not done)`,
    text: [`Lệnh ${what} chưa được thực hiện.`, `Lý do (reason): ${why}`, ...(d ? stateLines(d, assignee) : []), '', ...helpLines()].join('\n'),
  };
}

export type RefusalCode = 'unauthenticated' | 'unknown-sender' | 'malformed-token' | 'forged-token' | 'other-sender' | 'expired-token' | 'action-not-allowed';

const REFUSAL: Record<RefusalCode, string> = {
  unauthenticated:
    'Thư trả lời không qua được kiểm tra xác thực thư (DMARC, hoặc chữ ký DKIM của tên miền người gửi). Hãy trả lời từ hộp thư công vụ của anh/chị. (The reply failed mail authentication: DMARC, or a DKIM signature of your own domain.)',
  'unknown-sender': 'Địa chỉ gửi không phải của người dùng nào trong hệ thống văn thư. (The sender is not a user of the registry.)',
  'malformed-token': 'Địa chỉ trả lời không hợp lệ. (The reply address is not a valid one.)',
  'forged-token': 'Địa chỉ trả lời này không được cấp cho địa chỉ thư của anh/chị. (This reply address was not issued to your address.)',
  'other-sender':
    'Địa chỉ trả lời này được cấp cho cán bộ khác; chỉ người nhận thư thông báo mới trả lời được. (This reply address belongs to another officer.)',
  'expired-token':
    'Địa chỉ trả lời đã hết hạn; hãy trả lời thư nhắc việc hoặc thư tổng hợp gần nhất. (The reply address has expired; reply to a recent notice.)',
  'action-not-allowed': 'Thư thông báo này không cho phép lệnh đó. (This notice does not allow that command.)',
};

export function refusedAnswer(code: RefusalCode): Notice {
  return {
    subject: 'Không thực hiện lệnh qua thư (reply refused)',
    text: [REFUSAL[code], '', 'Không có thay đổi nào được ghi nhận. (Nothing was changed.)', 'Thư này được gửi tự động (automatic message).'].join('\n'),
  };
}

export function helpLines(): string[] {
  return ['Các lệnh (commands) — dòng đầu của thư trả lời, có dấu hoặc không dấu:', ...COMMAND_LINES];
}

export function helpAnswer(d: DocumentRow | null, assignee: string | null, digest = false): Notice {
  return {
    subject: `Hướng dẫn xử lý văn bản bằng thư${d ? ` — ${short(d)}` : ''} (commands)`,
    text: [
      digest
        ? 'Thư tổng hợp có nhiều văn bản: hãy gửi lệnh tới địa chỉ trả lời riêng của từng văn bản ghi trong thư tổng hợp. (Send the command to the reply address of the item.)'
        : 'Không đọc được lệnh nào ở đầu thư trả lời. (No command was found at the start of the reply.)',
      '',
      ...helpLines(),
      ...(d ? stateLines(d, assignee) : []),
    ].join('\n'),
  };
}

/** `09:00 23/11/2026` in the registry's zone (Hà Nội). */
const localTime = (at: Date, tz: string) => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: tz, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
};

export function replayAnswer(firstAt: Date, tz: string): Notice {
  return {
    subject: 'Thư trả lời đã được xử lý trước đó (already handled)',
    text: [
      `Thư trả lời có cùng Message-ID đã được nhận lúc ${localTime(firstAt, tz)} và đã được xử lý; lệnh không được thực hiện lần nữa.`,
      'A reply with this Message-ID was handled before; it is not applied twice.',
    ].join('\n'),
  };
}

/** To the unit's leaders: an officer asked for more time, or gave the item back. */
export function leaderNotice(kind: 'extend' | 'decline', d: DocumentRow, officer: string, text: string): Notice {
  const extend = kind === 'extend';
  return {
    subject: extend ? `Đề nghị gia hạn xử lý: ${short(d)} (extension requested)` : `Cán bộ từ chối xử lý: ${short(d)} (assignment declined)`,
    text: [
      extend ? `${officer} đề nghị gia hạn xử lý văn bản ${text}.` : `${officer} từ chối xử lý văn bản. Lý do: ${text}`,
      ...stateLines(d, extend ? officer : null),
      '',
      extend
        ? 'Đồng ý: trả lời "gia hạn đến <ngày/tháng>"; giao người khác: "chuyển cho <tên>". (Grant by replying "extend to <d/m>".)'
        : 'Giao người khác: trả lời "chuyển cho <tên hoặc địa chỉ>". (Reassign by replying "forward to <name>".)',
    ].join('\n'),
  };
}
