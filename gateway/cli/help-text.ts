/**
 * What `vanthu help <command>` and `vanthu <command> --help` print: Vietnamese first, English
 * below (docs/cli.md). Plain data, so help never loads a command or the gateway. A command with no
 * entry here (a new one) is described by its module's `help`, or its `summary` at least.
 */
export interface CommandHelp {
  vi: string;
  en: string;
  usage: string[];
  /** [option, Vietnamese, English] */
  options: Array<[string, string, string]>;
  examples: string[];
}

const JSON_TABLE: Array<[string, string, string]> = [
  ['--json', 'in JSON (mặc định khi đầu ra không phải màn hình)', 'print JSON (the default when stdout is not a terminal)'],
  ['--table', 'in bảng (mặc định trên màn hình)', 'print a table (the default on a terminal)'],
];

export const HELP: Record<string, CommandHelp> = {
  start: {
    vi: 'chạy gateway (SMTP + HTTP) và/hoặc các tiến trình xử lý',
    en: 'run the gateway (SMTP + HTTP) and/or the workers',
    usage: ['vanthu start [--role all|gateway|worker] [--log-format pretty|json]'],
    options: [
      ['--role R', 'all (mặc định): cả hai; gateway; worker (cần PostgreSQL)', 'all (default): both; gateway; worker (needs PostgreSQL)'],
      [
        '--log-format F',
        'pretty: dễ đọc (mặc định trên màn hình); json: mỗi dòng một JSON',
        'pretty: readable (default on a terminal); json: one JSON per line',
      ],
    ],
    examples: ['vanthu start', 'DATABASE_URL=postgres://vanthu@db/vanthu vanthu start --role worker'],
  },
  migrate: {
    vi: 'áp dụng các bản nâng cấp cơ sở dữ liệu (start cũng làm)',
    en: 'apply database migrations (also done on start)',
    usage: ['vanthu migrate'],
    options: [],
    examples: ['DATABASE_URL=postgres://vanthu@db/vanthu vanthu migrate'],
  },
  ingest: {
    vi: 'lưu tệp thư (.eml: một tệp, một thư mục, nhiều tệp hoặc mẫu *) theo cùng đường lưu bền vững như SMTP',
    en: 'store message files (.eml: a file, a folder, several files or globs) through the same durable path as SMTP',
    usage: ['vanthu ingest <file.eml | folder | "glob">... [--to <unit address>]... [--json]'],
    options: [
      ['--to ADDR', 'địa chỉ đơn vị nhận (mặc định: lấy từ To/Cc của thư)', "the unit address it is for (default: the message's To/Cc)"],
      ['--json', 'một bản tổng kết JSON (mặc định khi không ở terminal)', 'one JSON summary (the default off a terminal)'],
    ],
    examples: ['vanthu ingest cong-van.eml --to vanthu@stc.lamdong.gov.vn', 'vanthu ingest ./thu-thang-11/', 'vanthu ingest "luu-tru/*.eml" --json'],
  },
  send: {
    vi: 'gửi một tệp qua SMTP tới gateway (.eml gửi nguyên, tệp khác đính kèm)',
    en: 'mail a file to a gateway over SMTP (an .eml as is, anything else attached)',
    usage: ['vanthu send <file> --to <address>... [--subject TEXT] [--from ADDR] [--host H] [--port N]'],
    options: [
      ['--to ADDR', 'người nhận (lặp lại được)', 'recipient (repeatable)'],
      ['--subject TEXT', 'tiêu đề (mặc định: tên tệp)', 'subject (default: the file name)'],
      ['--from ADDR', 'người gửi', 'sender'],
      ['--host H, --port N', 'máy chủ SMTP (mặc định: của cấu hình)', 'SMTP server (default: the configured one)'],
    ],
    examples: ['vanthu send chi-thi.pdf --to vanthu@stc.lamdong.gov.vn --subject "Chỉ thị 25/CT-UBND"'],
  },
  messages: {
    vi: 'liệt kê thư đã nhận, mới nhất trước, kèm kết quả (vào sổ số mấy, hay chờ duyệt vì sao)',
    en: 'list received messages, newest first, with the outcome (book number, or review and why)',
    usage: ['vanthu messages [--limit N] [--state S] [--json]'],
    options: [
      ['--limit N', 'số thư (mặc định 50, tối đa 500)', 'how many (default 50, at most 500)'],
      ['--state S', 'chỉ thư ở trạng thái S (accepted, parsed, classified, verified, decided, failed)', 'only messages in state S'],
      ['--json', 'in JSON (items, total, hasMore); mặc định là bảng', 'print JSON (items, total, hasMore); the default is a table'],
    ],
    examples: ['vanthu messages --limit 20', 'vanthu messages --state failed --json'],
  },
  search: {
    vi: 'tìm văn bản theo nội dung (không phân biệt dấu): số ký hiệu, cơ quan ban hành, trích yếu',
    en: 'search documents by text (diacritics optional): notation, issuer, summary',
    usage: ['vanthu search <text>... [--unit U] [--year Y] [--status S] [--limit N] [--json|--table]'],
    options: [
      ['--unit U', 'đơn vị (mặc định: mọi đơn vị được xem)', 'unit (default: every unit you may see)'],
      ['--year Y', 'năm của sổ', 'book year'],
      ['--status S', 'trạng thái, cách nhau bằng dấu phẩy (review, received, assigned, done…)', 'statuses, comma-separated'],
      ['--limit N', 'số kết quả (mặc định 50, tối đa 500)', 'how many (default 50, at most 500)'],
      ...JSON_TABLE,
    ],
    examples: ['vanthu search "ngan sach 2026"', 'vanthu search 123/UBND-VX --json'],
  },
  classify: {
    vi: 'phân loại thư hoặc văn bản và in siêu dữ liệu (JSON theo docs/contracts.md)',
    en: 'classify a message or document and print its metadata (JSON, docs/contracts.md)',
    usage: ['vanthu classify <file.eml|.pdf|.docx|.txt|.xml>'],
    options: [],
    examples: ['vanthu classify tests/corpus/two-page.pdf'],
  },
  verify: {
    vi: 'kiểm tra mọi chữ ký của thư, PDF hoặc edXML (JSON theo docs/contracts.md; mã thoát 0 khi hợp lệ)',
    en: 'check every signature of a message, PDF or edXML file (JSON, docs/contracts.md; exit 0 when valid)',
    usage: ['vanthu verify [--trust P]... [--crl F]... [--dns off|system|ZONEFILE] [--extract-signed DIR] <file>'],
    options: [
      ['--trust P', 'tệp hoặc thư mục PEM của CA tin cậy (thay cấu hình)', 'trust anchors, a PEM file or folder (replaces the configured ones)'],
      ['--crl F', 'thêm danh sách thu hồi', 'add a CRL'],
      [
        '--dns D',
        'off (mặc định): không tra DNS; system: DNS của máy; hoặc một tệp zone',
        'off (default): no DNS; system: the machine resolver; or a zone file',
      ],
      ['--extract-signed DIR', 'ghi bản đã ký của PDF bị sửa sau khi ký vào DIR', 'write the signed revision of PDFs changed after signing into DIR'],
    ],
    examples: ['vanthu verify --dns off thu.eml', 'vanthu verify --trust /etc/vanthu/ca quyet-dinh.pdf'],
  },
  connectors: {
    vi: 'trạng thái các hộp thư IMAP được lấy thư',
    en: 'status of the mailbox connectors (IMAP accounts)',
    usage: ['vanthu connectors [--json]'],
    options: [['--json', 'in JSON; mặc định là bảng', 'print JSON; the default is a table']],
    examples: ['vanthu connectors'],
  },
  show: {
    vi: 'một thư: nhận từ đâu, đã xử lý đến đâu, kết quả vào sổ hay chờ duyệt và vì sao',
    en: 'one message: where it came from, how far it got and what the registry made of it',
    usage: ['vanthu show <mã thư> [--json]'],
    options: [['--json', 'in JSON (như GET /api/messages/{id}); mặc định là văn bản', 'print JSON (as GET /api/messages/{id}); the default is text']],
    examples: ['vanthu show 01KBX3Y7Q2M9T4F6ZP8RCN0HWD'],
  },
  status: {
    vi: 'hệ thống có theo kịp không: số thư chưa xử lý xong, thư chờ lâu nhất, độ dài hàng đợi',
    en: 'is the pipeline keeping up: undecided messages, the oldest one, queue depths',
    usage: ['vanthu status [--json]'],
    options: [['--json', 'in JSON; mặc định là văn bản', 'print JSON; the default is text']],
    examples: ['vanthu status', 'vanthu status --json'],
  },
  addin: {
    vi: 'ghi tệp manifest của add-in Outlook cho một địa chỉ triển khai',
    en: 'write the Outlook add-in manifest for a deployment URL',
    usage: ['vanthu addin manifest --url https://host/addin/ [--out FILE] [--id GUID]'],
    options: [
      ['--url URL', 'nơi gateway phục vụ add-in (HTTPS)', 'where the gateway serves the add-in (HTTPS)'],
      ['--out FILE', 'ghi vào tệp (mặc định: in ra)', 'write to a file (default: stdout)'],
      ['--id GUID', 'mã add-in cố định', 'a fixed add-in id'],
    ],
    examples: ['vanthu addin manifest --url https://vanthu.stc.lamdong.gov.vn/addin/ --out manifest.xml'],
  },
  certs: {
    vi: 'tạo CA cục bộ và chứng thư HTTPS để phát triển (cho add-in Outlook)',
    en: 'make a local CA and an HTTPS certificate for development (for the Outlook add-in)',
    usage: ['vanthu certs dev [--out DIR] [--host NAME]... [--days N]'],
    options: [
      ['--out DIR', 'thư mục (mặc định: var/certs)', 'folder (default: var/certs)'],
      ['--host NAME', 'thêm tên máy vào chứng thư', 'add a host name to the certificate'],
      ['--days N', 'hạn chứng thư, 1–398 ngày (mặc định 397)', 'validity, 1–398 days (default 397)'],
    ],
    examples: ['vanthu certs dev --host vanthu.local'],
  },
  users: {
    vi: 'thêm và liệt kê người dùng (officer, clerk, leader, admin)',
    en: 'add and list users (roles officer, clerk, leader, admin)',
    usage: [
      'vanthu users list [--unit U] [--json|--table]',
      'vanthu users add --unit U --role officer|clerk|leader|admin --name NAME --email EMAIL [--department D] (--password-stdin | --ldap)',
    ],
    options: [
      ['--unit U', 'đơn vị', 'unit'],
      ['--role R', 'vai trò', 'role'],
      ['--department D', 'mã phòng ban', 'department id'],
      ['--password-stdin', 'đọc mật khẩu từ đầu vào chuẩn', 'read the password from standard input'],
      ['--ldap', 'người dùng xác thực qua LDAP', 'a user who logs in through LDAP'],
      ...JSON_TABLE,
    ],
    examples: ['echo "mật khẩu" | vanthu users add --unit stc --role clerk --name "Lê Thị Hoa" --email hoa@stc.lamdong.gov.vn --password-stdin'],
  },
  review: {
    vi: 'hàng chờ duyệt của văn thư: xem, duyệt (có sửa), trả lại, không phải văn bản',
    en: "the clerk's review queue: list, approve (with corrections), reject, not a document",
    usage: [
      'vanthu review [list] [--unit U] [--limit N] [--json|--table]',
      'vanthu review approve <document-id> [--set field=value]...',
      'vanthu review reject <document-id> --reason TEXT',
      'vanthu review not-document <document-id>',
    ],
    options: [
      ['--unit U', 'đơn vị', 'unit'],
      ['--limit N', 'số mục (mặc định 50, tối đa 500)', 'how many (default 50, at most 500)'],
      ['--set field=value', 'sửa trường trước khi vào sổ (notation, issuer, issuedDate, subject…)', 'correct a field before registering'],
      ['--reason TEXT', 'lý do trả lại', 'why it is returned'],
      ...JSON_TABLE,
    ],
    examples: ['vanthu review', 'vanthu review approve 01J… --set notation=5/STTTT-VP'],
  },
  register: {
    vi: 'vào sổ văn bản đến văn bản của một thư đã lưu (chờ duyệt, hoặc thư thường đã giữ lại)',
    en: 'register the document of a stored message in the incoming book (in review, or kept as correspondence)',
    usage: ['vanthu register <message-id> [--unit U] [--set field=value]...'],
    options: [
      ['--unit U', 'đơn vị (khi thư gửi nhiều đơn vị)', 'unit (when the message went to several)'],
      ['--set field=value', 'sửa hoặc điền trường (notation, issuer, issuedDate, subject…)', 'correct or fill in a field'],
    ],
    examples: ['vanthu register 01J… --set notation=12/UBND-VX --set issuer="UBND tỉnh Bến Tre"'],
  },
  'signed-revision': {
    vi: 'lưu bản đã ký (phần người ký đã ký) của PDF bị sửa sau khi ký',
    en: "save the signed revision of a document's PDF changed after signing",
    usage: ['vanthu signed-revision <document-id> [--n N] --out FILE'],
    options: [
      ['--n N', 'thứ tự bản (0, 1, …)', 'revision index (0, 1, …)'],
      ['--out FILE', 'tệp ghi ra', 'file to write'],
    ],
    examples: ['vanthu signed-revision 01J… --out da-ky.pdf'],
  },
  assign: {
    vi: 'giao hoặc giao lại văn bản cho phòng ban và/hoặc chuyên viên',
    en: 'assign or re-assign a registered document to a department and/or officer',
    usage: ['vanthu assign <document-id> [--department D] [--officer EMAIL]'],
    options: [
      ['--department D', 'mã phòng ban', 'department id'],
      ['--officer EMAIL', 'chuyên viên xử lý', 'the officer'],
    ],
    examples: ['vanthu assign 01J… --department ns --officer an@stc.lamdong.gov.vn'],
  },
  done: {
    vi: 'đánh dấu văn bản đã xử lý xong (hủy nhắc hạn và báo quá hạn)',
    en: 'mark a document done (its reminders and escalation are cancelled)',
    usage: ['vanthu done <document-id> [--note TEXT]'],
    options: [['--note TEXT', 'ghi chú', 'a note']],
    examples: ['vanthu done 01J… --note "Đã trả lời bằng CV 45/STC"'],
  },
  book: {
    vi: 'sổ văn bản đến/đi của đơn vị: xem, hoặc in ra PDF, CSV, XLSX',
    en: "a unit's incoming or outgoing book: list it, or print it as PDF, CSV or XLSX",
    usage: [
      'vanthu book list --unit U [--year Y] [--limit N] [--json|--table]',
      'vanthu book print --unit U --year Y [--kind incoming|outgoing] [--format pdf|csv|xlsx] --out FILE',
    ],
    options: [
      ['--unit U', 'đơn vị', 'unit'],
      ['--year Y', 'năm của sổ', 'book year'],
      ['--kind K', 'incoming (mặc định) hoặc outgoing', 'incoming (default) or outgoing'],
      ['--format F', 'pdf (mặc định), csv, xlsx', 'pdf (default), csv, xlsx'],
      ['--out FILE', 'tệp ghi ra', 'file to write'],
      ['--limit N', 'số dòng (mặc định 50, tối đa 500)', 'how many lines (default 50, at most 500)'],
      ...JSON_TABLE,
    ],
    examples: ['vanthu book list --unit stc', 'vanthu book print --unit stc --year 2026 --out so-den-2026.pdf'],
  },
  audit: {
    vi: 'kiểm tra chuỗi băm của nhật ký (mã thoát 1 khi bị phá)',
    en: "check the audit log's hash chain (exit 1 when broken)",
    usage: ['vanthu audit verify'],
    options: [],
    examples: ['vanthu audit verify'],
  },
  'send-document': {
    vi: 'lấy số sổ văn bản đi, ký số và gửi văn bản tới các cơ quan',
    en: 'number, sign and send an official document to agencies (outgoing book)',
    usage: [
      'vanthu send-document <file.pdf> --to <unit|address|agency name>... --subject TEXT',
      '  [--type KH] [--type-name NAME] [--signer NAME] [--body TEXT] [--edxml] [--smime] [--unit ID]',
    ],
    options: [
      ['--to R', 'nơi nhận: mã đơn vị, địa chỉ hoặc tên cơ quan (lặp lại được)', 'recipient: unit id, address or agency name (repeatable)'],
      ['--subject TEXT', 'trích yếu', 'summary (trích yếu)'],
      ['--type KH', 'mã loại văn bản (Nghị định 30); mặc định công văn', 'Decree 30 type code; default công văn'],
      ['--signer NAME', 'người ký', 'signer'],
      ['--edxml', 'gửi gói edXML', 'send as an edXML package'],
      ['--smime', 'ký S/MIME', 'sign with S/MIME'],
      ['--unit ID', 'đơn vị gửi', 'sending unit'],
    ],
    examples: ['vanthu send-document ke-hoach.pdf --to "Văn phòng UBND tỉnh Lâm Đồng" --subject "Kiểm tra quyết toán" --type KH --unit stc'],
  },
  issuance: {
    vi: 'hàng chờ phát hành: văn bản cán bộ gửi từ Outlook; phát hành hoặc trả lại',
    en: 'the issuance queue: drafts sent from the Outlook add-in; issue or return them',
    usage: [
      'vanthu issuance [list] [--unit U] [--state pending|issuing|issued|returned] [--json|--table]',
      'vanthu issuance issue <draft-id> [--confirm-unsigned] [--edxml] [--json]',
      'vanthu issuance return <draft-id> --reason TEXT [--json]',
    ],
    options: [
      ['--state S', 'trạng thái cần liệt kê (mặc định pending: chờ phát hành)', 'which drafts to list (default pending)'],
      ['--confirm-unsigned', 'phát hành dù văn bản chưa có chữ ký số hợp lệ (ghi nhật ký)', 'issue although unsigned (audited)'],
      ['--reason TEXT', 'lý do trả lại', 'why it is returned'],
      ...JSON_TABLE,
    ],
    examples: [
      'vanthu issuance --unit stc',
      'vanthu issuance issue 01JF3Q8W4R0G5Y8N7K2M6P9T1V',
      'vanthu issuance return 01JF3Q8W4R0G5Y8N7K2M6P9T1V --reason "Thiếu chữ ký"',
    ],
  },
  outgoing: {
    vi: 'các tệp PDF đã ban hành của một văn bản đi và các phiên bản gia hạn dấu thời gian lưu trữ; --out ghi ra thư mục',
    en: 'the issued PDFs of an outgoing document and their versions (renewed archive time-stamps); --out writes them',
    usage: ['vanthu outgoing files <outgoing-id> [--json|--table]', 'vanthu outgoing files <outgoing-id> --out DIR [--file IDX] [--version N]'],
    options: [
      ['--out DIR', 'ghi các tệp vào DIR (phiên bản mới nhất)', 'write the files into DIR (the newest version)'],
      ['--file IDX', 'chỉ tệp này (0: văn bản, 1, 2…: phụ lục)', 'only this file (0: the document, 1, 2…: appendices)'],
      ['--version N', 'phiên bản N (1: bản ban hành ban đầu), cùng --out', 'version N (1: as issued), with --out'],
      ...JSON_TABLE,
    ],
    examples: ['vanthu outgoing files 01JF3Q8W4R0G5Y8N7K2M6P9T1V', 'vanthu outgoing files 01JF3Q8W4R0G5Y8N7K2M6P9T1V --out luu-tru/ --version 1'],
  },
  directory: {
    vi: 'tìm trong danh bạ cơ quan nhận văn bản (không phân biệt dấu)',
    en: 'search the directory of agencies to send documents to (diacritics optional)',
    usage: ['vanthu directory [query] [--json|--table]'],
    options: JSON_TABLE,
    examples: ['vanthu directory "so tai chinh"'],
  },
  demo: {
    vi: 'chạy thử: hai đơn vị trên một cổng, ban hành văn bản ký số từ đơn vị này sang đơn vị kia, vào sổ và giấy báo nhận',
    en: 'demo: two units on one gateway; a leader-signed document is issued from one to the other, registered, and its receipt comes back',
    usage: ['vanthu demo [--keep DIR] [--json] [--verbose]'],
    options: [
      ['--keep DIR', 'giữ khóa, văn bản và dữ liệu trong DIR', 'keep keys, documents and data in DIR'],
      ['--json', 'in kết quả dạng JSON', 'print the summary as JSON'],
      ['--verbose', 'in nhật ký của cổng', "print the gateway's log"],
    ],
    examples: ['vanthu demo', 'vanthu demo --keep /tmp/vanthu-demo && pdfsig /tmp/vanthu-demo/issued.pdf'],
  },
  'renew-timestamp': {
    vi: 'gia hạn dấu thời gian lưu trữ của văn bản PDF đã ban hành (PAdES B-LTA): thêm dữ liệu kiểm tra cho dấu thời gian cuối, rồi đóng dấu thời gian mới',
    en: 'renew the archive time-stamp of an issued PDF (PAdES B-LTA): validation data for the last time-stamp, then a new document time-stamp',
    usage: ['vanthu renew-timestamp <file.pdf> [--unit U] [--out FILE]'],
    options: [
      [
        '--unit U',
        'đơn vị có issue.tsa và issue.ltv (bỏ qua khi chỉ có một)',
        'the unit whose issue.tsa and issue.ltv are used (optional when only one has a TSA)',
      ],
      ['--out FILE', 'tệp ghi ra (mặc định: ghi đè tệp vào)', 'file to write (default: replace the input file)'],
    ],
    examples: ['vanthu renew-timestamp 125-UBND-VP.pdf --unit ubnd', 'vanthu renew-timestamp cu.pdf --out moi.pdf'],
  },
};
