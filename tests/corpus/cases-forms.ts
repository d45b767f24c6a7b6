/** Forms and short administrative papers (Decree 30 Appendix III, second column). */
import { issuers as I, signers as S } from './fixtures/presets.ts';
import type { DocCase } from './fixtures/spec.ts';

const LUU = (unit: string) => `Lưu: ${unit}`;

export const formCases: DocCase[] = [
  {
    id: 'hd-hopdong-ttcntt', note: 'Hợp đồng (HĐ, with Đ) of a centre under a department, PDF', delivery: 'pdf',
    doc: {
      issuer: I.ttcnttLaoCai, type: 'HĐ', notation: '12/HĐ-TTCNTT', place: 'Lào Cai', date: '2025-03-03',
      subject: 'Thuê dịch vụ chữ ký số cá nhân cho cán bộ, công chức năm 2025', subjectStyle: 'plain',
      body: [
        'Căn cứ Bộ luật Dân sự ngày 24 tháng 11 năm 2015; căn cứ Quyết định số 88/QĐ-STTTT ngày 20 tháng 2 năm 2025 về việc phê duyệt kế hoạch lựa chọn nhà thầu.',
        'Hôm nay, tại Trung tâm Công nghệ thông tin và Truyền thông, hai bên thống nhất ký kết hợp đồng thuê dịch vụ chữ ký số với tổng giá trị 318.000.000 đồng (Ba trăm mười tám triệu đồng).',
      ],
      signer: S.gdTt, signerName: 'Phạm Đức Long',
      recipients: ['Sở Tài chính', 'Kho bạc Nhà nước khu vực', LUU('HCTH')],
    },
  },
  {
    id: 'cd-ubnd-hoatoc', note: 'Công điện HỎA TỐC in a hard-wrapped body, deadline written in words', delivery: 'wrapped-body',
    doc: {
      issuer: I.ubndQuangNinh, type: 'CĐ', notation: '05/CĐ-UBND', place: 'Quảng Ninh', date: '2025-09-05', urgency: 'hoa_toc',
      subject: 'Tập trung ứng phó khẩn cấp với bão số 7', subjectStyle: 've',
      body: [
        'CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH điện:',
        'Giám đốc các sở, ngành; Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu.',
        'Yêu cầu các cơ quan, đơn vị khẩn trương triển khai các biện pháp ứng phó, hoàn thành việc di dời người dân khỏi khu vực nguy hiểm chậm nhất vào ngày 06 tháng 9 năm 2025 và báo cáo kết quả về Văn phòng Ủy ban nhân dân tỉnh.',
      ],
      signer: S.ubndCt, signerName: 'Vũ Đại Thắng',
      recipients: ['Như trên', 'Bộ Nông nghiệp và Môi trường (b/c)', LUU('VP')],
      dueDate: '2025-09-06',
    },
  },
  {
    id: 'bgn-ubnd-cantho', note: 'Bản ghi nhớ, PDF', delivery: 'pdf',
    doc: {
      issuer: I.ubndCanTho, type: 'BGN', notation: '01/BGN-UBND', place: 'Cần Thơ', date: '2025-06-26',
      subject: 'Hợp tác chuyển đổi số giữa thành phố Cần Thơ và Tập đoàn Công nghiệp - Viễn thông Quân đội', subjectStyle: 'plain',
      body: [
        'Hai bên thống nhất hợp tác trong các lĩnh vực: hạ tầng số, chính quyền số, kinh tế số và xã hội số trên địa bàn thành phố Cần Thơ giai đoạn 2025-2030.',
        'Bản ghi nhớ có hiệu lực kể từ ngày ký và được lập thành 04 bản.',
      ],
      signer: S.ubndKtPct, signerName: 'Trương Cảnh Tuyên',
      recipients: ['Các sở, ngành thành phố', LUU('VP')],
    },
  },
  {
    id: 'btt-stttt-binhthuan', note: 'Bản thỏa thuận, DOCX', delivery: 'docx',
    doc: {
      issuer: I.sttttBinhThuan, type: 'BTT', notation: '02/BTT-STTTT', place: 'Bình Thuận', date: '2024-10-08',
      subject: 'Kết nối, chia sẻ dữ liệu văn bản giữa hệ thống quản lý văn bản của tỉnh và Trục liên thông văn bản quốc gia', subjectStyle: 'plain',
      body: ['Các bên thỏa thuận về phạm vi dữ liệu chia sẻ, phương thức kết nối và trách nhiệm bảo đảm an toàn thông tin.'],
      signer: S.ktGd, signerName: 'Nguyễn Văn Hiền',
      recipients: ['Cục Chuyển đổi số quốc gia', LUU('VP')],
    },
  },
  {
    id: 'guq-ubnd-chauthanh', note: 'Giấy ủy quyền of a district (UBND/UBND issuer block), body', delivery: 'body',
    doc: {
      issuer: I.ubndChauThanh, type: 'GUQ', notation: '03/GUQ-UBND', place: 'Châu Thành', date: '2024-05-14',
      subject: 'Ký văn bản gửi, nhận qua hệ thống thư điện tử công vụ', subjectStyle: 've',
      body: [
        'Chủ tịch Ủy ban nhân dân huyện Châu Thành ủy quyền cho Chánh Văn phòng HĐND và UBND huyện ký các văn bản hành chính thông thường gửi, nhận qua hệ thống thư điện tử công vụ.',
        'Thời hạn ủy quyền: từ ngày 15 tháng 5 năm 2024 đến hết ngày 31 tháng 12 năm 2024.',
      ],
      signer: S.ubndCt, signerName: 'Nguyễn Văn Tuấn', signerFirst: true,
      recipients: ['Văn phòng HĐND và UBND huyện', LUU('VT')],
    },
  },
  {
    id: 'gm-ubnd-danang', note: 'Giấy mời, PDF; the meeting date is not a deadline', delivery: 'pdf',
    doc: {
      issuer: I.ubndDaNang, type: 'GM', notation: '156/GM-UBND', place: 'Đà Nẵng', date: '2025-10-20',
      subject: 'Dự hội nghị trực tuyến tập huấn sử dụng hệ thống quản lý văn bản và điều hành', subjectStyle: 'plain',
      body: [
        'Ủy ban nhân dân thành phố trân trọng kính mời lãnh đạo Văn phòng các sở, ban, ngành và Ủy ban nhân dân các xã, phường tham dự hội nghị.',
        'Thời gian: 08 giờ 00 ngày 28 tháng 10 năm 2025. Địa điểm: Hội trường tầng 2, Trung tâm Hành chính thành phố và các điểm cầu trực tuyến.',
      ],
      signer: S.tlCvp, signerName: 'Nguyễn Hà Nam',
      recipients: ['Như thành phần mời', LUU('VP')],
    },
  },
  {
    id: 'ggt-snv-camau', note: 'Giấy giới thiệu, body, dd/mm/yyyy date', delivery: 'body',
    doc: {
      issuer: I.snvCaMau, type: 'GGT', notation: '27/GGT-SNV', place: 'Cà Mau', date: '2025-04-11', dateStyle: 'slash',
      subject: 'Liên hệ công tác kiểm tra việc lập hồ sơ điện tử', subjectStyle: 'plain',
      body: [
        'Sở Nội vụ tỉnh Cà Mau trân trọng giới thiệu ông Lâm Văn Bi, Chi cục trưởng Chi cục Văn thư - Lưu trữ, được cử đến Ủy ban nhân dân huyện Năm Căn liên hệ công tác.',
        'Đề nghị quý cơ quan tạo điều kiện để ông Lâm Văn Bi hoàn thành nhiệm vụ. Giấy giới thiệu có giá trị đến hết ngày 30/4/2025.',
      ],
      signer: S.ktGd, signerName: 'Tăng Văn Thiên',
      recipients: ['Như trên', LUU('VT')],
    },
  },
  {
    id: 'gnp-syt-angiang', note: 'Giấy nghỉ phép, DOCX', delivery: 'docx',
    doc: {
      issuer: I.sytAnGiang, type: 'GNP', notation: '14/GNP-SYT', place: 'An Giang', date: '2025-06-30',
      subject: 'Cấp cho bà Nguyễn Thị Mỹ Lệ, chuyên viên Văn phòng Sở', subjectStyle: 'plain',
      body: ['Được nghỉ phép năm 2025 từ ngày 07/7/2025 đến hết ngày 18/7/2025. Nơi nghỉ: thành phố Long Xuyên, tỉnh An Giang.'],
      signer: S.gd, signerName: 'Trần Quang Hiền',
      recipients: ['Bà Nguyễn Thị Mỹ Lệ', 'Phòng Tổ chức cán bộ', LUU('VT')],
    },
  },
  {
    id: 'pg-vp-vinhlong', note: 'Phiếu gửi of the provincial office (Văn phòng under UBND), body', delivery: 'body',
    doc: {
      issuer: I.vpUbndVinhLong, type: 'PG', notation: '33/PG-VP', place: 'Vĩnh Long', date: '2025-08-05',
      subject: 'Gửi kèm hồ sơ trình ban hành Kế hoạch thực hiện Đề án 06 năm 2025', subjectStyle: 'plain',
      body: ['Văn phòng Ủy ban nhân dân tỉnh gửi kèm theo phiếu này 01 bộ hồ sơ gồm tờ trình, dự thảo kế hoạch và báo cáo tổng hợp ý kiến góp ý.', 'Đề nghị đơn vị nhận ký xác nhận và gửi lại phiếu này cho nơi gửi.'],
      signer: S.ktCvp, signerName: 'Đặng Văn Chính',
      recipients: ['Công an tỉnh', LUU('VT')],
    },
  },
  {
    id: 'pc-vp-vinhlong', note: 'Phiếu chuyển as a .txt attachment', delivery: 'txt',
    doc: {
      issuer: I.vpUbndVinhLong, type: 'PC', notation: '18/PC-VP', place: 'Vĩnh Long', date: '2025-08-12',
      subject: 'Chuyển đơn kiến nghị của công dân về việc cấp giấy chứng nhận quyền sử dụng đất', subjectStyle: 'plain',
      body: ['Văn phòng Ủy ban nhân dân tỉnh chuyển đơn kiến nghị của ông Trần Văn Út, ngụ tại xã Long Hồ, đến Sở Nông nghiệp và Môi trường xem xét, giải quyết theo thẩm quyền.'],
      signer: S.cvp, signerName: 'Nguyễn Văn Liệt',
      recipients: ['Sở Nông nghiệp và Môi trường', 'Ông Trần Văn Út', LUU('VT, TCD')],
    },
  },
  {
    id: 'pb-stp-khanhhoa', note: 'Phiếu báo, body', delivery: 'body',
    doc: {
      issuer: I.stpKhanhHoa, type: 'PB', notation: '09/PB-STP', place: 'Khánh Hòa', date: '2025-05-22',
      subject: 'Kết quả thẩm định dự thảo Quyết định ban hành Quy chế quản lý văn bản điện tử', subjectStyle: 'plain',
      body: ['Sở Tư pháp báo để Sở Khoa học và Công nghệ biết: dự thảo đủ điều kiện trình Ủy ban nhân dân tỉnh ban hành sau khi tiếp thu các ý kiến tại Báo cáo thẩm định số 142/BC-STP.'],
      signer: S.ktGd, signerName: 'Võ Thị Mỹ Hạnh',
      recipients: ['Sở Khoa học và Công nghệ', LUU('VT, XDKTVB')],
    },
  },
  {
    id: 'sy-vp-vinhlong', note: 'Bản sao y, PDF', delivery: 'pdf',
    doc: {
      issuer: I.vpUbndVinhLong, type: 'SY', notation: '05/SY-VP', place: 'Vĩnh Long', date: '2025-07-08',
      typeHeading: 'BẢN SAO Y',
      subject: 'Sao y Quyết định số 1520/QĐ-TTg ngày 01/7/2025 của Thủ tướng Chính phủ', subjectStyle: 'plain',
      body: ['Văn phòng Ủy ban nhân dân tỉnh sao y bản chính để gửi các cơ quan, đơn vị thực hiện.'],
      signer: S.tlCvp, signerName: 'Nguyễn Văn Liệt',
      recipients: ['Các sở, ban, ngành', 'UBND các xã, phường', LUU('VT')],
    },
  },
  {
    id: 'ts-vp-vinhlong', note: 'Bản trích sao, DOCX', delivery: 'docx',
    doc: {
      issuer: I.vpUbndVinhLong, type: 'TS', notation: '02/TS-VP', place: 'Vĩnh Long', date: '2025-07-15',
      subject: 'Trích sao Điều 5 Quyết định số 33/2025/QĐ-UBND của Ủy ban nhân dân tỉnh', subjectStyle: 'plain',
      body: ['Điều 5. Trách nhiệm của cơ quan, đơn vị trong gửi, nhận văn bản điện tử: bảo đảm 100% văn bản đi được ký số; tiếp nhận văn bản đến trong ngày làm việc.'],
      signer: S.tlCvp, signerName: 'Nguyễn Văn Liệt',
      recipients: ['Sở Nội vụ', LUU('VT')],
    },
  },
  {
    id: 'sl-vp-vinhlong', note: 'Bản sao lục, body', delivery: 'body',
    doc: {
      issuer: I.vpUbndVinhLong, type: 'SL', notation: '01/SL-VP', place: 'Vĩnh Long', date: '2025-01-09',
      subject: 'Sao lục Thông tư số 01/2011/TT-BNV của Bộ Nội vụ', subjectStyle: 'plain',
      body: ['Văn phòng Ủy ban nhân dân tỉnh sao lục để các cơ quan, đơn vị biết và thực hiện.'],
      signer: S.tlCvp, signerName: 'Nguyễn Văn Liệt',
      recipients: ['Các sở, ban, ngành', LUU('VT')],
    },
  },
];
