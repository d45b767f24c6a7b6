/** The texts of the registry's mails: Vietnamese first, English below, plain text. */
import { vnDate } from '../books/book-data.ts';
import type { DocumentRow } from '../books/register.ts';

export const docLine = (d: DocumentRow) =>
  [d.typeName ?? 'Văn bản', d.notation ? `số ${d.notation}` : null, d.issuer ? `của ${d.issuer}` : null].filter(Boolean).join(' ');
export const about = (d: DocumentRow) => `${docLine(d)}${d.subject ? `\nV/v: ${d.subject}` : ''}`;
export const book = (d: DocumentRow) => (d.bookNumber === null ? 'chưa vào sổ' : `số đến ${d.bookNumber}/${d.bookYear}`);

export interface Notice {
  subject: string;
  text: string;
}

export function receiptNotice(d: DocumentRow, unitName: string): Notice {
  return {
    subject: `Xác nhận đã nhận văn bản ${d.notation ?? ''} (receipt)`.replace(/\s+/g, ' '),
    text: [
      `${unitName} đã nhận và vào sổ văn bản đến:`,
      about(d),
      `Vào sổ: ${book(d)}, ngày ${vnDate(d.registeredAt?.toISOString())}.`,
      '',
      `${unitName} received and registered your document as incoming number ${d.bookNumber}/${d.bookYear}.`,
      'Thư này được gửi tự động (automatic message).',
    ].join('\n'),
  };
}

/** Sent when the document is done: the sender's vanthu marks its recipient "handled". */
export function doneNotice(d: DocumentRow, unitName: string): Notice {
  return {
    subject: `Đã xử lý xong văn bản ${d.notation ?? ''} (done)`.replace(/\s+/g, ' '),
    text: [
      `${unitName} đã xử lý xong văn bản:`,
      about(d),
      `Số đến ${d.bookNumber}/${d.bookYear}.`,
      '',
      `${unitName} has completed handling your document.`,
      'Thư này được gửi tự động (automatic message).',
    ].join('\n'),
  };
}

export function returnNotice(d: DocumentRow, unitName: string, reason: string): Notice {
  return {
    subject: `Trả lại văn bản ${d.notation ?? ''} (document returned)`.replace(/\s+/g, ' '),
    text: [`${unitName} trả lại văn bản:`, about(d), `Lý do: ${reason}`, '', `${unitName} returned your document. Reason: ${reason}`].join('\n'),
  };
}

export function alertNotice(d: DocumentRow, unitName: string): Notice {
  return {
    subject: `[CẢNH BÁO] Văn bản mật nhận qua thư điện tử — ${unitName} (secret document quarantined)`,
    text: [
      `Một văn bản có độ mật "${d.secrecy}" đã đến địa chỉ thư của ${unitName} và được cách ly, chưa vào sổ.`,
      about(d),
      `Người gửi: ${d.senderAddress ?? '(không rõ)'}; mã văn bản trong hệ thống: ${d.id}`,
      'Văn bản mật không được gửi qua thư điện tử thông thường: đề nghị xử lý theo quy định bảo vệ bí mật nhà nước.',
      '',
      `A document marked secret (${d.secrecy}) arrived by ordinary e-mail and was quarantined (id ${d.id}).`,
    ].join('\n'),
  };
}

/** A copy of a known document that differs from it (integrity.ts): its reasons say how. */
export function duplicateAlertNotice(d: DocumentRow, unitName: string): Notice {
  const why = d.reasons.filter((r) => r.startsWith('Cảnh báo:'));
  return {
    subject: `[CẢNH BÁO] Bản trùng khác với văn bản đã nhận ${d.notation ?? ''} — ${unitName} (a differing copy of a document arrived)`.replace(/\s+/g, ' '),
    text: [
      `Một thư gửi đến ${unitName} trùng với văn bản đã nhận nhưng khác bản gốc:`,
      about(d),
      ...why,
      `Người gửi: ${d.senderAddress ?? '(không rõ)'}; mã bản trùng trong hệ thống: ${d.id}${d.linkedTo ? `; văn bản gốc: ${d.linkedTo}` : ''}`,
      'Đề nghị kiểm tra trước khi xử lý: bản trùng có thể là bản đã bị sửa đổi.',
      '',
      `A copy of a document already received differs from it (copy ${d.id}); check it before acting on either.`,
    ].join('\n'),
  };
}

export function reminderNotice(d: DocumentRow): Notice {
  return {
    subject: `Nhắc hạn xử lý ${vnDate(d.dueDate)}: ${d.notation ?? d.subject ?? d.id} (deadline reminder)`,
    text: [`Văn bản ${book(d)} giao anh/chị xử lý sắp đến hạn ${vnDate(d.dueDate)}:`, about(d), '', `Reminder: due ${d.dueDate}.`].join('\n'),
  };
}

export function escalationNotice(d: DocumentRow, assignee: string | null): Notice {
  return {
    subject: `Quá hạn xử lý: ${d.notation ?? d.subject ?? d.id} (overdue)`,
    text: [
      `Văn bản ${book(d)} đã quá hạn xử lý (hạn ${vnDate(d.dueDate)}), chưa hoàn thành.`,
      about(d),
      `Cán bộ được giao: ${assignee ?? '(chưa giao)'}; phòng: ${d.department ?? '(chưa giao)'}.`,
      '',
      `Overdue since ${d.dueDate}; assigned to ${assignee ?? 'nobody'}.`,
    ].join('\n'),
  };
}

export interface DigestItems {
  dueToday: DocumentRow[];
  overdue: DocumentRow[];
  fresh: DocumentRow[];
}

/**
 * `replyAddressOf`: each item's own reply address (act by e-mail, docs/act-by-email.md): a reply
 * to the digest itself cannot say which item it means.
 */
export function digestNotice(name: string, date: string, items: DigestItems, replyAddressOf?: (d: DocumentRow) => string | null): Notice {
  const line = (d: DocumentRow) => {
    const address = replyAddressOf?.(d);
    const head = `  - ${book(d)} · ${d.notation ?? ''} · ${d.subject ?? ''} · hạn ${vnDate(d.dueDate)}`;
    return address ? [head, `    trả lời để xử lý (reply to act): ${address}`] : [head];
  };
  const list = (title: string, rows: DocumentRow[]) => (rows.length ? [`${title} (${rows.length}):`, ...rows.flatMap(line), ''] : []);
  return {
    subject: `Văn bản cần xử lý ngày ${vnDate(date)} (daily digest)`,
    text: [
      `Kính gửi ${name},`,
      '',
      ...list('Đến hạn hôm nay (due today)', items.dueToday),
      ...list('Quá hạn (overdue)', items.overdue),
      ...list('Mới giao (new)', items.fresh),
    ].join('\n'),
  };
}

/** A document assigned to an officer (the leader's decision, or a routing rule at registration). */
export function assignmentNotice(d: DocumentRow, officerName: string, unitName: string): Notice {
  return {
    subject: `Giao xử lý văn bản ${d.notation ?? d.subject ?? d.id}${d.dueDate ? `, hạn ${vnDate(d.dueDate)}` : ''} (assigned to you)`,
    text: [
      `Kính gửi ${officerName},`,
      '',
      `${unitName} giao anh/chị xử lý văn bản ${book(d)}:`,
      about(d),
      d.dueDate ? `Hạn xử lý: ${vnDate(d.dueDate)}.` : 'Văn bản không có hạn xử lý.',
      // The leader's instructions given with the assignment (POST …/assign `note`).
      ...(d.assignmentNote ? [`Ý kiến chỉ đạo: ${d.assignmentNote}`] : []),
      '',
      `A document was assigned to you${d.dueDate ? `, due ${d.dueDate}` : ''}.${d.assignmentNote ? ' The instructions are above.' : ''}`,
    ].join('\n'),
  };
}

/** The commands a reply may start with (gateway/registry/replies/parse.ts), one a line. */
export const COMMAND_LINES = [
  '  đã xử lý <kết quả>        hoàn thành; phần còn lại là kết quả, tệp đính kèm được lưu (done <result>)',
  '  ý kiến: <nội dung>        ghi ý kiến (comment: <text>)',
  '  gia hạn đến <ngày/tháng>  xin gia hạn, ví dụ "gia hạn đến 15/12" (extend to <d/m>)',
  '  chuyển cho <tên, địa chỉ> giao lại cho người khác, nếu vai trò cho phép (forward to <name>)',
  '  từ chối: <lý do>          trả lại cho lãnh đạo (decline: <reason>)',
  '  xem                       gửi lại văn bản (view)',
];

/** The end of every actionable notice: how to act on it by replying. */
export function actFooter(address: string): string[] {
  return [
    '',
    '—',
    `Xử lý bằng thư: trả lời thư này (tới ${address}); dòng đầu là một lệnh, có dấu hoặc không dấu:`,
    ...COMMAND_LINES,
    'Reply to this mail to act on it; the first line is the command.',
  ];
}
