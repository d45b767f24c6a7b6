/** Messages that are not documents: bounces, auto-replies, receipts, status messages, ordinary mail, hostile files. */
import { zipSync } from 'fflate';
import { buildStatus } from '../../gateway/documents/edxml/build.ts';
import { attachment, buildMessage, plainText, type Part } from './fixtures/mime.ts';
import type { RawCase } from './fixtures/spec.ts';

const LAMDONG = 'vanthu@sotttt.lamdong.gov.vn';

function headers(from: string, subject: string, date: string, extra: Record<string, string> = {}) {
  return {
    From: from,
    To: LAMDONG,
    Subject: subject,
    Date: date,
    'Message-ID': `<${Buffer.from(subject).toString('hex').slice(0, 24)}@corpus.vanthu>`,
    ...extra,
  };
}

const none = (kind: RawCase['expected']['kind']): RawCase['expected'] => ({ kind, document: null });

const originalHeaders = [
  'From: vanthu@sotttt.lamdong.gov.vn',
  'To: vanthu@soyte.angiang.gov.vn',
  'Subject: =?UTF-8?B?' + Buffer.from('Công văn số 1502/STTTT-VP').toString('base64') + '?=',
  'Date: Mon, 17 Nov 2025 09:12:00 +0700',
].join('\r\n');

export const mailCases: RawCase[] = [
  {
    id: 'dsn-bounce',
    note: 'RFC 3464 delivery status notification (multipart/report)',
    expected: none('automated'),
    build: () =>
      buildMessage(
        {
          headers: headers(
            'Mail Delivery System <MAILER-DAEMON@mail.lamdong.gov.vn>',
            'Undelivered Mail Returned to Sender',
            'Mon, 17 Nov 2025 09:13:02 +0700',
          ),
          multipart: 'multipart/report; report-type=delivery-status',
          parts: [
            plainText(
              "This is the mail system at host mail.lamdong.gov.vn.\n\nI'm sorry to have to inform you that your message could not be delivered.\n\n<vanthu@soyte.angiang.gov.vn>: host mx.angiang.gov.vn said: 550 5.1.1 User unknown\n",
            ),
            {
              contentType: 'message/delivery-status',
              body: 'Reporting-MTA: dns; mail.lamdong.gov.vn\r\n\r\nFinal-Recipient: rfc822; vanthu@soyte.angiang.gov.vn\r\nAction: failed\r\nStatus: 5.1.1\r\n',
              encoding: '7bit',
            },
            { contentType: 'text/rfc822-headers', body: originalHeaders + '\r\n', encoding: '7bit' },
          ],
        },
        'dsn',
      ),
  },
  {
    id: 'bounce-postmaster',
    note: 'old-style bounce from postmaster without multipart/report',
    expected: none('automated'),
    build: () =>
      buildMessage(
        {
          headers: headers('postmaster@binhthuan.gov.vn', 'Delivery Status Notification (Failure)', 'Tue, 12 Mar 2024 10:01:00 +0700'),
          parts: [
            plainText(
              'Delivery to the following recipient failed permanently:\n\n    vanphong@sotttt.binhthuan.gov.vn\n\nTechnical details of permanent failure: mailbox full.\n',
            ),
          ],
        },
        'bounce',
      ),
  },
  {
    id: 'autoreply-rfc3834',
    note: 'auto-reply marked Auto-Submitted: auto-replied (RFC 3834)',
    expected: none('automated'),
    build: () =>
      buildMessage(
        {
          headers: headers('Nguyễn Văn An <an.nv@stc.hue.gov.vn>', 'Automatic reply: Công văn số 1234/UBND-VX', 'Wed, 09 Oct 2024 08:00:00 +0700', {
            'Auto-Submitted': 'auto-replied',
            'X-Auto-Response-Suppress': 'All',
          }),
          parts: [plainText('I am out of the office until 14/10/2024 with limited access to e-mail.\nTôi đang nghỉ phép đến ngày 14/10/2024.\n')],
        },
        'ar1',
      ),
  },
  {
    id: 'autoreply-vi-subject',
    note: 'Vietnamese automatic reply recognised by its subject',
    expected: none('automated'),
    build: () =>
      buildMessage(
        {
          headers: headers('vanthu@snv.camau.gov.vn', 'Trả lời tự động: V/v báo cáo công tác văn thư năm 2025', 'Fri, 14 Nov 2025 16:30:00 +0700'),
          parts: [plainText('Văn thư Sở Nội vụ đã nhận được thư của quý cơ quan. Đây là thư trả lời tự động, vui lòng không trả lời thư này.\n')],
        },
        'ar2',
      ),
  },
  {
    id: 'ooo-vi-body',
    note: 'out-of-office text in Vietnamese in the body of a reply',
    expected: none('automated'),
    build: () =>
      buildMessage(
        {
          headers: headers('Trần Thị Bích <bich.tt@sgddt.thanhhoa.gov.vn>', 'Re: Giấy mời họp ngày 28/10/2025', 'Mon, 27 Oct 2025 07:45:00 +0700'),
          parts: [
            plainText(
              'Tôi hiện đang đi công tác nước ngoài đến hết ngày 02/11/2025. Việc gấp xin liên hệ đồng chí Lê Văn Tâm, Phó Chánh Văn phòng, số điện thoại 0237.3852.123.\n',
            ),
          ],
        },
        'ar3',
      ),
  },
  {
    id: 'receipt-mail',
    note: 'receipt notice by mail, answering a công văn',
    expected: none('status'),
    build: () =>
      buildMessage(
        {
          headers: headers('Văn thư Sở Y tế <vanthu@soyte.angiang.gov.vn>', 'Xác nhận đã nhận văn bản số 1502/STTTT-VP', 'Mon, 17 Nov 2025 10:02:00 +0700'),
          parts: [
            plainText(
              'Kính gửi: Sở Thông tin và Truyền thông.\n\nVăn thư Sở Y tế tỉnh An Giang xác nhận đã nhận được Công văn số 1502/STTTT-VP ngày 17/11/2025 qua hệ thống thư điện tử công vụ. Văn bản đã được vào sổ văn bản đến số 4871.\n\nTrân trọng.\n',
            ),
          ],
        },
        'rc',
      ),
  },
  {
    id: 'edxml-status',
    note: 'edXML status message (accepted) as an attachment',
    expected: none('status'),
    build: () =>
      buildMessage(
        {
          headers: headers('vanthu@ubnd.hanoi.gov.vn', 'Trạng thái văn bản 07/CT-UBND', 'Wed, 04 Jun 2025 08:30:00 +0700'),
          parts: [
            plainText('Thông báo trạng thái xử lý văn bản (tự động).\n'),
            attachment(
              'status.xml',
              'application/xml',
              Buffer.from(
                buildStatus({
                  from: { id: '000.00.33.H26', name: 'Sở Khoa học và Công nghệ thành phố Hà Nội' },
                  to: { id: '000.00.00.H26', name: 'Ủy ban nhân dân thành phố Hà Nội' },
                  responseFor: { organId: '000.00.00.H26', code: '07/CT-UBND', documentId: '000.00.00.H26,2025/06/02,07', promulgationDate: '2025-06-02' },
                  status: 'accepted',
                  description: 'Đã tiếp nhận',
                  timestamp: '2025-06-04T08:29:41+07:00',
                  staff: { department: 'Văn phòng Sở', name: 'Đỗ Thị Hằng' },
                }),
              ),
            ),
          ],
        },
        'st',
      ),
  },
  {
    id: 'mdn-read-receipt',
    note: 'RFC 8098 read receipt',
    expected: none('status'),
    build: () =>
      buildMessage(
        {
          headers: headers('vanthu@stp.khanhhoa.gov.vn', 'Đã đọc: Phiếu báo số 09/PB-STP', 'Thu, 22 May 2025 15:00:00 +0700'),
          multipart: 'multipart/report; report-type=disposition-notification',
          parts: [
            plainText('Thư của bạn đã được hiển thị vào lúc 15:00 ngày 22/05/2025.\n'),
            {
              contentType: 'message/disposition-notification',
              body: 'Reporting-UA: mail.khanhhoa.gov.vn\r\nFinal-Recipient: rfc822; vanthu@stp.khanhhoa.gov.vn\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n',
              encoding: '7bit',
            },
          ],
        },
        'mdn',
      ),
  },
  {
    id: 'mail-colleague',
    note: 'ordinary correspondence between officers',
    expected: none('correspondence'),
    build: () =>
      buildMessage(
        {
          headers: headers('Phạm Minh Đức <duc.pm@sotttt.lamdong.gov.vn>', 'Gửi anh bản dự thảo báo cáo tháng 11', 'Tue, 18 Nov 2025 14:20:00 +0700'),
          parts: [
            plainText(
              'Chào anh Hùng,\n\nEm gửi anh bản dự thảo báo cáo tháng 11, anh xem giúp em phần số liệu về văn bản điện tử nhé. Chiều mai em qua phòng anh trao đổi thêm.\n\nCảm ơn anh.\nĐức\n',
            ),
          ],
        },
        'c1',
      ),
  },
  {
    id: 'mail-reply-about-cv',
    note: 'a reply that discusses a công văn: correspondence, not the document',
    expected: none('correspondence'),
    build: () =>
      buildMessage(
        {
          headers: headers('Lê Thị Hoa <hoa.lt@snv.camau.gov.vn>', 'Re: Công văn số 1234/UBND-VX', 'Thu, 10 Oct 2024 09:05:00 +0700'),
          parts: [
            plainText(
              'Chào chị,\n\nVề Công văn số 1234/UBND-VX ngày 07/10/2024 của UBND tỉnh, phòng em sẽ tổng hợp số liệu và gửi chị trước thứ Sáu.\n\nTrân trọng,\nHoa\n',
            ),
          ],
        },
        'c2',
      ),
  },
  {
    id: 'mail-newsletter',
    note: 'a newsletter that mentions plans and decisions',
    expected: none('correspondence'),
    build: () =>
      buildMessage(
        {
          headers: headers('bantin@cds.gov.vn', 'Bản tin Chuyển đổi số tháng 10/2025', 'Sat, 01 Nov 2025 06:00:00 +0700'),
          parts: [
            plainText(
              'BẢN TIN CHUYỂN ĐỔI SỐ\n\nTrong tháng 10, nhiều địa phương đã ban hành kế hoạch chuyển đổi số năm 2026. Ngày 15 tháng 10 năm 2025, UBND tỉnh Lâm Đồng ban hành Quyết định phê duyệt Kế hoạch chuyển đổi số trong công tác văn thư, lưu trữ.\n\nĐể hủy nhận bản tin, vui lòng trả lời thư này.\n',
            ),
          ],
        },
        'c3',
      ),
  },
  {
    id: 'corrupt-pdf',
    note: 'a corrupt PDF attachment: correspondence with a reason, no crash',
    expected: none('correspondence'),
    build: () =>
      buildMessage(
        {
          headers: headers('vanthu@ubnd.binhphuoc.gov.vn', 'Gửi tài liệu', 'Mon, 04 Feb 2013 08:00:00 +0700'),
          parts: [
            plainText('Gửi quý cơ quan tài liệu đính kèm.\n'),
            attachment('tai-lieu.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n1 0 obj <<>> garbage garbage\n%%EOF\n')),
          ],
        },
        'bad',
      ),
  },
  {
    id: 'zip-bomb-docx',
    note: 'a DOCX whose document.xml would inflate to 64 MiB: refused before inflating',
    expected: none('correspondence'),
    build: () => {
      const bomb = zipSync({ 'word/document.xml': new Uint8Array(64 * 1024 * 1024) }, { level: 9, mtime: new Date('2025-01-01T00:00:00Z') });
      const parts: Part[] = [
        plainText('Gửi kèm dự thảo.\n'),
        attachment('du-thao.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.from(bomb)),
      ];
      return buildMessage({ headers: headers('someone@example.com', 'Dự thảo', 'Mon, 17 Nov 2025 08:00:00 +0700'), parts }, 'bomb');
    },
  },
];
