/** Công văn, legal normative documents, marks, legacy encodings, web copies, edXML and subject-only cases. */
import { issuers as I, signers as S } from './fixtures/presets.ts';
import type { DocCase } from './fixtures/spec.ts';

export const specialCases: DocCase[] = [
  {
    id: 'cv-ubnd-bentre', note: 'Công văn (no type code), V/v wrapped in the left column, PDF with deadline', delivery: 'pdf',
    doc: {
      issuer: I.ubndBenTre, type: 'CV', notation: '1234/UBND-VX', place: 'Bến Tre', date: '2024-10-07',
      subject: 'Báo cáo tình hình triển khai chữ ký số chuyên dùng Chính phủ trong các cơ quan nhà nước',
      kinhGui: ['Các sở, ban, ngành tỉnh', 'Ủy ban nhân dân các huyện, thành phố'],
      body: [
        'Thực hiện Công văn số 2560/BTTTT-CATTT ngày 20 tháng 9 năm 2024 của Bộ Thông tin và Truyền thông, Ủy ban nhân dân tỉnh đề nghị các cơ quan, đơn vị báo cáo tình hình sử dụng chữ ký số chuyên dùng Chính phủ, gửi về Sở Thông tin và Truyền thông trước ngày 25/10/2024 để tổng hợp.',
      ],
      signer: S.ubndKtPct, signerName: 'Nguyễn Minh Cảnh',
      recipients: ['Như trên', 'CT, các PCT UBND tỉnh', 'Sở TT&TT', 'Lưu: VT, KGVX'],
      dueDate: '2024-10-25',
    },
  },
  {
    id: 'cv-stttt-binhthuan-khan', note: 'Công văn of a department, KHẨN, in a hard-wrapped body', delivery: 'wrapped-body',
    doc: {
      issuer: I.sttttBinhThuan, type: 'CV', notation: '56/STTTT-VP', place: 'Bình Thuận', date: '2024-03-11', urgency: 'khan',
      subject: 'Công khai địa chỉ thư điện tử công vụ dùng để gửi, nhận văn bản điện tử',
      kinhGui: ['Các cơ quan, đơn vị trên địa bàn tỉnh'],
      body: [
        'Để phục vụ việc gửi, nhận văn bản điện tử, Sở Thông tin và Truyền thông đề nghị các cơ quan, đơn vị rà soát, công khai địa chỉ thư điện tử công vụ theo định dạng tên_đơn_vị@binhthuan.gov.vn trên trang thông tin điện tử của đơn vị; hoàn thành chậm nhất ngày 29/3/2024.',
      ],
      signer: S.ktGd, signerName: 'Nguyễn Văn Hiền',
      recipients: ['Như trên', 'UBND tỉnh (b/c)', 'Lưu: VT, VP'],
      dueDate: '2024-03-29',
    },
  },
  {
    id: 'cv-bnv-thuongkhan', note: 'Công văn of a ministry, THƯỢNG KHẨN, DOCX', delivery: 'docx',
    doc: {
      issuer: I.bnv, type: 'CV', notation: '789/BNV-VP', place: 'Hà Nội', date: '2025-02-24', urgency: 'thuong_khan',
      subject: 'Triển khai thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư',
      kinhGui: ['Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ', 'Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương'],
      body: ['Bộ Nội vụ đề nghị các cơ quan rà soát quy chế công tác văn thư, gửi báo cáo về Bộ Nội vụ (qua Cục Văn thư và Lưu trữ nhà nước) trước ngày 31 tháng 3 năm 2025.'],
      signer: S.ktBt, signerName: 'Vũ Đăng Minh',
      recipients: ['Như trên', 'Bộ trưởng (để b/c)', 'Lưu: VT, VP'],
      dueDate: '2025-03-31',
    },
  },
  {
    id: 'cv-cat-hungyen-mat', note: 'Công văn MẬT of the provincial police, PDF', delivery: 'pdf',
    doc: {
      issuer: I.catHungYen, type: 'CV', notation: '45/CAT-PV01', place: 'Hưng Yên', date: '2025-07-30', secrecy: 'mat',
      subject: 'Bảo đảm an ninh, an toàn hệ thống thông tin phục vụ kỳ họp Hội đồng nhân dân tỉnh',
      kinhGui: ['Sở Khoa học và Công nghệ'],
      body: ['Công an tỉnh đề nghị Sở Khoa học và Công nghệ phối hợp rà soát, đánh giá an toàn thông tin đối với hệ thống hội nghị truyền hình trực tuyến của tỉnh.'],
      signer: S.ktGdCa, signerName: 'Trần Ngọc Anh',
      recipients: ['Như trên', 'Đ/c Giám đốc (b/c)', 'Lưu: VT, PV01'],
    },
  },
  {
    id: 'qd-btttt-toimat', note: 'Quyết định TỐI MẬT of a ministry, body', delivery: 'body',
    doc: {
      issuer: I.btttt, type: 'QĐ', notation: '1012/QĐ-BTTTT', place: 'Hà Nội', date: '2024-06-14', secrecy: 'toi_mat',
      subject: 'Phê duyệt phương án bảo đảm an toàn hệ thống thông tin cấp độ 5', subjectStyle: 'plain',
      preamble: ['BỘ TRƯỞNG BỘ THÔNG TIN VÀ TRUYỀN THÔNG'],
      body: ['Căn cứ Luật An toàn thông tin mạng ngày 19 tháng 11 năm 2015;', 'Theo đề nghị của Cục trưởng Cục An toàn thông tin,', 'QUYẾT ĐỊNH:', 'Điều 1. Phê duyệt phương án kèm theo Quyết định này.'],
      signer: S.bt, signerName: 'Nguyễn Mạnh Hùng',
      recipients: ['Như Điều 3', 'Lưu: VT, CATTT'],
    },
  },
  {
    id: 'nd-chinhphu', note: 'Nghị định (legal, NĐ) of the Government, 2-page PDF', delivery: 'pdf',
    doc: {
      issuer: I.chinhPhu, type: 'NĐ', notation: '30/2020/NĐ-CP', place: 'Hà Nội', date: '2020-03-05',
      subject: 'Công tác văn thư', subjectStyle: 've-only',
      preamble: [],
      body: [
        'Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;',
        'Căn cứ Luật Giao dịch điện tử ngày 29 tháng 11 năm 2005;',
        'Căn cứ Luật Lưu trữ ngày 11 tháng 11 năm 2011;',
        'Theo đề nghị của Bộ trưởng Bộ Nội vụ;',
        'Chính phủ ban hành Nghị định về công tác văn thư.',
        'Chương I. QUY ĐỊNH CHUNG',
        'Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng. Nghị định này quy định về công tác văn thư và quản lý nhà nước về công tác văn thư. Công tác văn thư được quy định tại Nghị định này bao gồm: soạn thảo, ký ban hành văn bản; quản lý văn bản; lập hồ sơ và nộp lưu hồ sơ, tài liệu vào Lưu trữ cơ quan; quản lý và sử dụng con dấu, thiết bị lưu khóa bí mật trong công tác văn thư.',
        'Điều 2. Giải thích từ ngữ. Văn bản là thông tin thành văn được truyền đạt bằng ngôn ngữ hoặc ký hiệu, hình thành trong hoạt động của các cơ quan, tổ chức và được trình bày đúng thể thức, kỹ thuật theo quy định. Văn bản điện tử là văn bản dưới dạng thông điệp dữ liệu được tạo lập hoặc được số hóa từ văn bản giấy và trình bày đúng thể thức, kỹ thuật, định dạng theo quy định.',
        'Điều 3. Nguyên tắc, yêu cầu quản lý công tác văn thư. Công tác văn thư được thực hiện thống nhất theo quy định của pháp luật. Văn bản của cơ quan, tổ chức phải được soạn thảo và ban hành đúng thẩm quyền, trình tự, thủ tục, hình thức, thể thức và kỹ thuật trình bày theo quy định của pháp luật.',
        'Điều 4. Giá trị pháp lý của văn bản điện tử. Văn bản điện tử được ký số bởi người có thẩm quyền và ký số của cơ quan, tổ chức theo quy định của pháp luật có giá trị pháp lý như bản gốc văn bản giấy.',
        'Điều 5a. Thể thức văn bản. Thể thức văn bản là tập hợp các thành phần cấu thành văn bản, bao gồm những thành phần chính áp dụng đối với tất cả các loại văn bản và các thành phần bổ sung trong những trường hợp cụ thể hoặc đối với một số loại văn bản nhất định. Kỹ thuật trình bày văn bản bao gồm kích thước trang giấy, lề trang, phông chữ, cỡ chữ, kiểu chữ, vị trí trình bày các thành phần thể thức, số trang văn bản.',
        'Điều 5. Trách nhiệm của người đứng đầu cơ quan, tổ chức, cá nhân đối với công tác văn thư. Người đứng đầu cơ quan, tổ chức trong phạm vi quyền hạn được giao có trách nhiệm chỉ đạo công tác văn thư, chỉ đạo việc nghiên cứu, ứng dụng khoa học và công nghệ vào công tác văn thư./.',
      ],
      signer: S.cp, signerName: 'Nguyễn Xuân Phúc',
      recipients: ['Ban Bí thư Trung ương Đảng', 'Thủ tướng, các Phó Thủ tướng Chính phủ', 'Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ', 'HĐND, UBND các tỉnh, thành phố trực thuộc trung ương', 'Lưu: VT, TCCV'],
    },
  },
  {
    id: 'tt-bnv', note: 'Thông tư (legal, TT) of a ministry, DOCX, old date', delivery: 'docx',
    doc: {
      issuer: I.bnv, type: 'TT', notation: '01/2011/TT-BNV', place: 'Hà Nội', date: '2011-01-19',
      subject: 'Hướng dẫn thể thức và kỹ thuật trình bày văn bản hành chính', subjectStyle: 'plain',
      body: ['Căn cứ Nghị định số 48/2008/NĐ-CP ngày 17 tháng 4 năm 2008 của Chính phủ quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của Bộ Nội vụ;', 'Bộ Nội vụ hướng dẫn thể thức và kỹ thuật trình bày văn bản hành chính như sau:'],
      signer: S.bt, signerName: 'Trần Văn Tuấn',
      recipients: ['Văn phòng Chính phủ', 'Các Bộ, cơ quan ngang Bộ', 'Công báo', 'Lưu: VT, Cục VTLTNN'],
    },
  },
  {
    id: 'ttlt-btc-bnv', note: 'Thông tư liên tịch (two issuers in one line), .txt attachment', delivery: 'txt',
    doc: {
      issuer: I.btcBnv, type: 'TTLT', notation: '71/2014/TTLT-BTC-BNV', place: 'Hà Nội', date: '2014-05-30',
      subject: 'Quy định chế độ tự chủ, tự chịu trách nhiệm về sử dụng kinh phí quản lý hành chính đối với các cơ quan nhà nước', subjectStyle: 'plain',
      body: ['Căn cứ Nghị định số 130/2005/NĐ-CP ngày 17 tháng 10 năm 2005 của Chính phủ;', 'Bộ trưởng Bộ Tài chính và Bộ trưởng Bộ Nội vụ ban hành Thông tư liên tịch quy định chế độ tự chủ.'],
      signer: S.ktBt, signerName: 'Nguyễn Thị Minh',
      recipients: ['Văn phòng Trung ương Đảng', 'Các Bộ, cơ quan ngang Bộ', 'Lưu: VT, Vụ HCSN'],
    },
  },
  {
    id: 'qd-legal-ubnd-stars', note: 'Old legal Quyết định (2004) with "******" rules and upper-case summary, in the body', delivery: 'stars-body',
    doc: {
      issuer: I.ubndBenTre, type: 'QĐ', notation: '25/2004/QĐ-UB', place: 'Bến Tre', date: '2004-08-16', dateStyle: 'padded',
      subject: 'Ban hành quy chế quản lý, vận hành mạng tin học diện rộng tỉnh Bến Tre', subjectStyle: 'upper',
      preamble: ['ỦY BAN NHÂN DÂN TỈNH BẾN TRE'],
      body: ['Căn cứ Luật Tổ chức Hội đồng nhân dân và Ủy ban nhân dân ngày 26 tháng 11 năm 2003;', 'QUYẾT ĐỊNH:', 'Điều 1. Ban hành kèm theo Quyết định này quy chế quản lý, vận hành mạng tin học diện rộng của tỉnh.'],
      signer: S.ubndKtPct, signerName: 'Nguyễn Văn Hiếu',
      recipients: ['Như Điều 3', 'Lưu: VP'],
    },
  },
  {
    id: 'tb-web-table-sldtbxh', note: 'Thông báo copied from a website (table pipes) into the body', delivery: 'web-body',
    doc: {
      issuer: I.sldGiaLai, type: 'TB', notation: '88/TB-SLĐTBXH', place: 'Gia Lai', date: '2025-03-27',
      subject: 'Lịch tiếp nhận hồ sơ trực tuyến về chính sách người có công tháng 4 năm 2025', subjectStyle: 'plain',
      body: ['Sở Lao động - Thương binh và Xã hội thông báo lịch tiếp nhận hồ sơ trực tuyến trên Cổng dịch vụ công quốc gia như sau: từ thứ Hai đến thứ Sáu hằng tuần, trừ ngày lễ.'],
      signer: S.ktGd, signerName: 'Rơ Châm Loan', signerFirst: true,
      recipients: ['UBND các huyện, thị xã, thành phố', 'Lưu: VT, NCC'],
    },
  },
  {
    id: 'cv-tcvn3-chauthanh', note: 'Công văn in TCVN3 (ABC) bytes, declared windows-1252', delivery: 'tcvn3-body',
    doc: {
      issuer: I.ubndChauThanh, type: 'CV', notation: '321/UBND-NC', place: 'Châu Thành', date: '2004-11-22',
      subject: 'Triển khai sử dụng hộp thư điện tử trong các cơ quan, đơn vị',
      body: ['Ủy ban nhân dân huyện đề nghị các cơ quan, đơn vị đăng ký danh sách cán bộ, công chức được cấp hộp thư điện tử, gửi về Văn phòng HĐND và UBND huyện trước ngày 10/12/2004.'],
      signer: S.ubndKtPct, signerName: 'Nguyễn Văn Hòa',
      recipients: ['Như trên', 'Lưu: VT'],
      dueDate: '2004-12-10',
    },
  },
  {
    id: 'kh-vni-sytangiang', note: 'Kế hoạch typed in the VNI encoding, DOCX', delivery: 'vni-docx',
    doc: {
      issuer: I.sytAnGiang, type: 'KH', notation: '15/KH-SYT', place: 'An Giang', date: '2003-05-06',
      subject: 'Tin học hóa công tác quản lý hành chính ngành y tế năm 2003', subjectStyle: 'plain',
      body: ['Sở Y tế xây dựng kế hoạch tin học hóa công tác quản lý hành chính, trang bị máy tính và kết nối mạng cho các bệnh viện tuyến tỉnh.'],
      signer: S.gd, signerName: 'Nguyễn Văn Sáu',
      recipients: ['UBND tỉnh (b/c)', 'Các đơn vị trực thuộc', 'Lưu: VT'],
    },
  },
  {
    id: 'cv-nfd-sgddt', note: 'Công văn in decomposed Unicode (NFD) in the body', delivery: 'nfd-body',
    doc: {
      issuer: I.sgddtThanhHoa, type: 'CV', notation: '2150/SGDĐT-VP', place: 'Thanh Hóa', date: '2025-09-15',
      subject: 'Sử dụng hệ thống quản lý văn bản trong các trường trung học phổ thông',
      body: ['Sở Giáo dục và Đào tạo đề nghị các trường trung học phổ thông tiếp nhận, xử lý văn bản đến trên hệ thống quản lý văn bản, không in ra giấy.'],
      signer: S.ktGd, signerName: 'Lê Thị Thu Trang',
      recipients: ['Các trường THPT', 'Lưu: VT, VP'],
    },
  },
  {
    id: 'ct-edxml-attach-hanoi', note: 'edXML envelope attached beside the PDF: metadata from the envelope', delivery: 'edxml-attach',
    doc: {
      issuer: I.ubndHaNoi, type: 'CT', notation: '07/CT-UBND', place: 'Hà Nội', date: '2025-06-02', urgency: 'khan',
      subject: 'Đẩy mạnh gửi, nhận văn bản điện tử qua Trục liên thông văn bản quốc gia',
      body: ['Chủ tịch Ủy ban nhân dân thành phố yêu cầu các sở, ngành, Ủy ban nhân dân các phường, xã thực hiện nghiêm việc gửi, nhận văn bản điện tử qua Trục liên thông văn bản quốc gia; báo cáo kết quả trước ngày 30/6/2025.'],
      signer: S.ubndCt, signerName: 'Trần Sỹ Thanh',
      recipients: ['Văn phòng Chính phủ', 'Các sở, ban, ngành thành phố', 'Lưu: VT, KGVX'],
      dueDate: '2025-06-30',
    },
  },
  {
    id: 'qd-edxml-message-quangninh', note: 'The message itself is an edXML package (multipart/related)', delivery: 'edxml-message',
    doc: {
      issuer: I.ubndQuangNinh, type: 'QĐ', notation: '3120/QĐ-UBND', place: 'Quảng Ninh', date: '2025-11-10',
      subject: 'Công bố danh mục thủ tục hành chính được thực hiện trực tuyến toàn trình', subjectStyle: 'plain',
      body: ['Điều 1. Công bố kèm theo Quyết định này danh mục 214 thủ tục hành chính được thực hiện trực tuyến toàn trình.'],
      signer: S.ubndKtPct, signerName: 'Nghiêm Xuân Cường',
      recipients: ['Văn phòng Chính phủ (Cục KSTTHC)', 'Các sở, ban, ngành', 'Lưu: VT, TTHCC'],
    },
  },
  {
    id: 'cv-scan-subject-ubnd', note: 'A scanned PDF without text layer: the subject is the only source', delivery: 'scan-subject',
    doc: {
      issuer: I.ubndNgheAn, type: 'CV', notation: '88/UBND-KT', place: 'Nghệ An', date: '2025-03-05',
      subject: 'Rà soát hạ tầng mạng truyền số liệu chuyên dùng',
      body: [],
      signer: S.ubndKtPct, signerName: 'Lê Hồng Vinh',
      recipients: [],
    },
    mail: { subject: 'Số 88/UBND-KT ngày 05/3/2025 V/v rà soát hạ tầng mạng truyền số liệu chuyên dùng' },
    expectOverride: { issuer: null, place: null, signer: null, recipients: [] },
  },
  {
    id: 'tb-html-snv', note: 'Thông báo in an HTML-only body', delivery: 'html',
    doc: {
      issuer: I.snvCaMau, type: 'TB', notation: '61/TB-SNV', place: 'Cà Mau', date: '2025-10-01',
      subject: 'Tạm dừng hệ thống quản lý văn bản để nâng cấp', subjectStyle: 'plain',
      body: ['Hệ thống quản lý văn bản và điều hành sẽ tạm dừng từ 18 giờ 00 ngày 04/10/2025 đến 06 giờ 00 ngày 05/10/2025 để nâng cấp phiên bản mới.'],
      signer: S.ktGd, signerName: 'Tăng Văn Thiên',
      recipients: ['Các cơ quan, đơn vị', 'Lưu: VT, VP'],
    },
  },
];
