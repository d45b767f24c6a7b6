/** Tokens the mutators insert: pieces of the grammars the parsers under test read. */

export const MIME_TOKENS = [
  '\r\n', '\n', '\r', '\r\n\r\n', '\n\n', '\r\n--', '--\r\n', '\r\n\t', '\r\n ', ':', ';', '=', '"', '\\', '\0',
  'Content-Type: multipart/mixed; boundary="b1"\r\n', 'Content-Type: multipart/mixed\r\n',
  'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"\r\n',
  'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n',
  'Content-Type: message/rfc822\r\n', 'Content-Type: message/delivery-status\r\n', 'Content-Type: text/rfc822-headers\r\n',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n',
  'Content-Type: multipart/report; report-type=disposition-notification; boundary="r"\r\n',
  'Content-Type: text/html; charset=utf-8\r\n', 'Content-Type: text/plain; charset="windows-1258"\r\n',
  'Content-Type: application/pdf; name="van-ban.pdf"\r\n', 'Content-Type: application/xml\r\n',
  'Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\n',
  'Content-Transfer-Encoding: base64\r\n', 'Content-Transfer-Encoding: quoted-printable\r\n', 'Content-Transfer-Encoding: x-uuencode\r\n',
  'Content-Disposition: attachment; filename="a.pdf"\r\n', "Content-Disposition: attachment; filename*=utf-8''%E1%BB%A6y%20ban.docx\r\n",
  'Content-Disposition: attachment; filename*0="a"; filename*1="b"; filename*99999="c"\r\n',
  'Content-ID: <part1@vanthu>\r\n', 'MIME-Version: 1.0\r\n', 'Message-ID: <x@y>\r\n', 'In-Reply-To: <a@b>\r\n',
  'References: <a@b> <c@d>\r\n', 'Date: Mon, 23 Nov 2026 09:00:00 +0700\r\n', 'Date: 99 Foo 99999 99:99:99 +9999\r\n',
  'From: =?UTF-8?B?U+G7nyBUw6BpIGNow61uaA==?= <vanthu@stc.lamdong.gov.vn>\r\n', 'To: undisclosed-recipients:;\r\n',
  'Subject: =?utf-8?Q?C=C3=B4ng_v=C4=83n_s=E1=BB=91_123/UBND-VX?=\r\n', 'Subject: Chỉ thị 25/CT-UBND\r\n',
  'Auto-Submitted: auto-replied\r\n', 'X-Autoreply: yes\r\n', 'Precedence: bulk\r\n', 'Disposition-Notification-To: a@b\r\n',
  'DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=\r\n', 'ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x; s=y; b=\r\n',
  'Received: from x by y; Mon, 23 Nov 2026 09:00:00 +0700\r\n', 'Received-SPF: pass\r\n',
  '=?', '?=', '=?utf-8?B?', '=?utf-8?Q?', '=?x-unknown?B?AAAA?=', '=?utf-8*vi?Q?a?=', '=?utf-7?B?KwBBAEEA?=', '=FF', '=\r\n', '=3D', '=0D=0A',
  'begin 644 a.pdf\r\n', '\r\nend\r\n', '<html><body>', '<table><tr><td>', '</td></tr></table>', '<script>', '<!--', '&nbsp;', '&#x1F600;', '&#99999999;',
];

export const CHARSETS = [
  'utf-8', 'UTF-8', 'us-ascii', 'iso-8859-1', 'windows-1258', 'cp1258', 'windows-1252', 'utf-16', 'utf-16le', 'utf-16be', 'utf-32',
  'utf-7', 'unicode-1-1-utf-7', 'iso-2022-jp', 'csISO2022JP', 'shift_jis', 'euc-jp', 'gb18030', 'gbk', 'big5', 'hz-gb-2312', 'ks_c_5601-1987',
  'koi8-r', 'iso-8859-8-i', 'ebcdic-cp-us', 'ibm037', 'viscii', 'tcvn', 'tcvn3', 'vni', 'x-unknown', 'x-user-defined', 'binary', 'utf8mb4',
  '', ' ', '"', '""', 'utf-8"', "utf-8'vi'", 'utf-8\0', '=?utf-8?', 'x'.repeat(300), '../../etc/passwd', '__proto__', 'constructor', 'toString',
];

export const TRANSFER_ENCODINGS = ['base64', 'BASE64 ', 'quoted-printable', '7bit', '8bit', 'binary', 'x-uuencode', 'uuencode', 'x-uue', 'gzip', '', 'x-unknown', 'base64; x=1'];

export const HEADER_VALUES = [
  '', ' ', '<>', '<<<<<<<<', '"', '\\', ';;;;', '=?utf-8?B?' + 'A'.repeat(2000) + '?=', '=?utf-8?Q?' + '=E1=BB'.repeat(300) + '?=',
  'a@b, '.repeat(500), '(' .repeat(200), ')', '"unterminated', 'multipart/mixed; boundary=', 'multipart/alternative; boundary=""',
  'text/plain; charset=', 'application/octet-stream; name="' + 'a'.repeat(5000) + '.pdf"', 'attachment; filename="..\\..\\x.pdf"',
  'Mon, 32 Dec 99999 25:61:61 +2500', 'Thu, 01 Jan 1970 00:00:00 -0000', '-1', '99999999999999999999', 'Ủy ban nhân dân tỉnh Lâm Đồng',
  '\u0000\u0001\u0002', '\uFEFF', '\uD800', 'auto-replied', 'auto-generated', 'multipart/report; report-type=delivery-status; boundary=x',
];

export const PDF_TOKENS = [
  '%PDF-1.7\n', '%%EOF\n', ' obj\n', 'endobj\n', '1 0 obj\n', '0 0 R', '99999 0 R', '1 0 R', 'stream\n', '\nendstream\n', 'xref\n', '0 1\n',
  '0000000000 65535 f \n', 'trailer\n', 'startxref\n', '0\n', '<<', '>>', '[', ']', '(', ')', '\\', '<', '>', '/', '/Type /Page', '/Type /Pages',
  '/Kids [', '/Count 999999999', '/Length 999999999', '/Length -1', '/Filter /FlateDecode', '/Filter [/FlateDecode /FlateDecode]',
  '/Filter /LZWDecode', '/Filter /ASCIIHexDecode', '/Filter /ASCII85Decode', '/Filter /RunLengthDecode', '/DecodeParms << /Predictor 12 /Columns 5 >>',
  '/Type /ObjStm /N 999 /First 0', '/Type /XRef /W [1 2 1] /Index [0 9999999]', '/Prev 0', '/Root 1 0 R', '/Encrypt << >>',
  '/ToUnicode 5 0 R', 'beginbfchar', 'endbfchar', 'beginbfrange', 'endbfrange', '<0000> <FFFF> <0041>', 'BT', 'ET', 'Tf', 'Tj', 'TJ', "'", '"',
  'Td', 'TD', 'Tm', 'T*', 'Do', 'BI', 'ID', 'EI', 'q', 'Q', 'cm', '/F1 12 Tf', '(Ủy ban) Tj', '[(a) -250 (b)] TJ',
  '/ByteRange [0 10 20 30]', '/ByteRange [0 999999999999999 1 1]', '/Contents <', '/Contents <>', '/SubFilter /adbe.pkcs7.detached',
  '/SubFilter /ETSI.RFC3161', '/SubFilter /adbe.pkcs7.sha1', '/Type /Sig', '/M (D:20261123090000+07\'00\')', '/M (D:99999999999999)',
  '/FT /Sig', '/V 9 0 R', '/Type /Font /Subtype /Type3', '/Type /Font /Subtype /Type0', '/Encoding /Identity-H', '/DescendantFonts [',
];

export const XML_TOKENS = [
  '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-16"?>', '<?xml version="1.0" encoding="x-unknown"?>',
  '<', '>', '</', '/>', '<!--', '-->', '<![CDATA[', ']]>', '&', '&amp;', '&lt;', '&#0;', '&#x110000;', '&#99999999999;', '&unknown;', '&a;',
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
  '<!doctype x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', '<!DOCTYPE x PUBLIC "a" "b">', '<!ENTITY', '<!ELEMENT', '<?pi x?>',
  '<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">', '</edXML:edXMLEnvelope>', '<edXMLEnvelope>', '<Status>',
  '<edXML:edXMLHeader>', '<edXML:MessageHeader>', '<edXML:From>', '<edXML:To>', '<edXML:OrganId>000.00.00.H41</edXML:OrganId>',
  '<edXML:OrganName>Sở Tài chính</edXML:OrganName>', '<edXML:Code><edXML:CodeNumber>12</edXML:CodeNumber><edXML:CodeNotation>UBND-VX</edXML:CodeNotation></edXML:Code>',
  '<edXML:PromulgationInfo><edXML:Place>Đà Lạt</edXML:Place><edXML:PromulgationDate>2026/13/45</edXML:PromulgationDate></edXML:PromulgationInfo>',
  '<edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Quyết định</edXML:TypeName></edXML:DocumentType>',
  '<edXML:Subject>Về việc</edXML:Subject>', '<edXML:SignerInfo><edXML:FullName>Nguyễn Văn An</edXML:FullName></edXML:SignerInfo>',
  '<edXML:DueDate>9999-99-99</edXML:DueDate>', '<edXML:StatusCode>99</edXML:StatusCode>', '<edXML:ResponseFor>', '<edXML:Priority>4</edXML:Priority>',
  '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">', '<SignedInfo>', '<Reference URI="">', '<Reference URI="#x">', '<Transforms>',
  '<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>', '<DigestValue>AAAA</DigestValue>', '<SignatureValue>',
  '<X509Certificate>MIIB</X509Certificate>', 'Id="x"', ' xmlns=""', ' xmlns:a="b"', ' a:b="c"', 'ID="1" ID="2"',
  '<w:p>', '</w:p>', '<w:r>', '<w:t>', '</w:t>', '<w:tab/>', '<w:br/>', '<w:tbl><w:tr><w:tc>', '</w:tc></w:tr></w:tbl>', '<w:t xml:space="preserve"> Số: 12/QĐ-UBND</w:t>',
];

export const TEXT_TOKENS = [
  '\n', '\r\n', '\t', ' ', '\u00a0', '\u200b', '\ufeff', '\u0000', '\u2028', '|', '******', '-----', '___', '…', '“', '”',
  'ỦY BAN NHÂN DÂN\n', 'TỈNH LÂM ĐỒNG\n', 'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\n', 'Độc lập - Tự do - Hạnh phúc\n', 'Số: ', 'Số: 12/QĐ-UBND\n',
  'Số: 11/2005/CT-UBND\n', '1234/UBND-VX', '/', '-', 'Lâm Đồng, ngày 30 tháng 02 năm 2026\n', 'ngày 08 tháng 06 năm 2005', '31/12/99999',
  '00/00/0000', 'QUYẾT ĐỊNH\n', 'CÔNG VĂN\n', 'KẾ HOẠCH\n', 'CHỈ THỊ\n', 'THÔNG BÁO\n', 'Về việc ', 'V/v ', 'Kính gửi: ', 'Nơi nhận:\n',
  '- Như trên;\n', '- Lưu: VT, VP.\n', 'TM. ỦY BAN NHÂN DÂN\n', 'KT. CHỦ TỊCH\n', 'PHÓ CHỦ TỊCH\n', 'TL. ', 'TUQ. ', 'Q. ', '(Đã ký)\n',
  'Nguyễn Văn An\n', 'KHẨN\n', 'THƯỢNG KHẨN\n', 'HỎA TỐC\n', 'MẬT\n', 'TỐI MẬT\n', 'TUYỆT MẬT\n', 'trước ngày 30/11/2026', 'chậm nhất ngày ',
  'Ñy ban nh©n d©n', 'QuyÕt ®Þnh', 'UÛY BAN NHAÂN DAÂN', 'Quyeát ñònh', 'Từ khoá: Số Hiệu', 'Loại văn bản: ', 'Người ký: ',
  'a\u0301', 'A\u0323\u0306', '\u0300\u0301\u0303\u0309\u0323', 'Ð', 'ð', 'İ', 'ß', 'ﬃ',
];

export const SMTP_VERBS = [
  'EHLO', 'HELO', 'LHLO', 'MAIL FROM:', 'RCPT TO:', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'STARTTLS',
  'AUTH PLAIN', 'AUTH LOGIN', 'AUTH XOAUTH2', 'XCLIENT', 'XFORWARD', 'ETRN', 'TURN', 'ehlo', 'mail from:', 'Rcpt To:', 'DATA ', 'data\t',
];

export const SMTP_ADDRESSES = [
  '<vanthu@stc.lamdong.gov.vn>', '<VANTHU@STC.LAMDONG.GOV.VN>', '<taichinh@lamdong.gov.vn>', '<vanthu@vpubnd.lamdong.gov.vn>',
  '<nobody@example.invalid>', '<>', '<@a,@b:vanthu@stc.lamdong.gov.vn>', '<văn.thư@sở.việt.nam>', '<"quoted local"@stc.lamdong.gov.vn>',
  'vanthu@stc.lamdong.gov.vn', '<vanthu@stc.lamdong.gov.vn', '<' + 'a'.repeat(1000) + '@stc.lamdong.gov.vn>', '<a@[127.0.0.1]>',
  '<a@[IPv6:::1]>', '<\0@x>', '<postmaster>', '<vanthu@stc.lamdong.gov.vn>\u0000', '<vanthu@stc.lamdong.gov.vn\u0301>',
];

export const SMTP_PARAMS = [
  '', ' SIZE=1000', ' SIZE=99999999999999999999', ' SIZE=-1', ' SIZE=', ' BODY=8BITMIME', ' BODY=BINARYMIME', ' BODY=7BIT', ' SMTPUTF8',
  ' RET=HDRS', ' ENVID=abc', ' AUTH=<>', ' NOTIFY=SUCCESS,FAILURE', ' ORCPT=rfc822;a@b', ' X=Y', ' =', ' SIZE=1 SIZE=2', ' ' + 'P=1 '.repeat(300),
];

/** Numbers that make counts, lengths and offsets lie. */
export const NUMBERS = [
  '0', '1', '-1', '2', '7', '255', '256', '65535', '65536', '2147483647', '2147483648', '-2147483648', '4294967295', '4294967296',
  '9007199254740991', '9007199254740993', '99999999999999999999', '1e308', '1e-9', '0.5', '-0', '00000000000000000001', '0x10', 'NaN', '',
];

export const INTERESTING_BYTES = [0x00, 0x01, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x28, 0x29, 0x2d, 0x2e, 0x2f, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x5b, 0x5d, 0x5c, 0x7f, 0x80, 0xc0, 0xc3, 0xe1, 0xef, 0xfe, 0xff];
