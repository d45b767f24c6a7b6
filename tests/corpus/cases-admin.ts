/** Administrative documents, one per Decree 30 type code, delivered in varied ways. */
import { issuers as I, signers as S } from './fixtures/presets.ts';
import type { DocCase } from './fixtures/spec.ts';

const LUU = (unit: string) => `Lưu: VT, ${unit}`;

export const adminCases: DocCase[] = [
  {
    id: 'nq-hdnd-dongthap', note: 'Nghị quyết of a provincial council, legal notation with year, 2-page PDF', delivery: 'pdf',
    doc: {
      issuer: I.hdndDongThap, type: 'NQ', notation: '15/2024/NQ-HĐND', place: 'Đồng Tháp', date: '2024-07-12',
      subject: 'Quy định mức chi hỗ trợ ứng dụng công nghệ thông tin trong cơ quan nhà nước trên địa bàn tỉnh Đồng Tháp', subjectStyle: 'plain',
      preamble: ['HỘI ĐỒNG NHÂN DÂN TỈNH ĐỒNG THÁP', 'KHÓA X, KỲ HỌP THỨ MƯỜI BẢY'],
      body: [
        'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;',
        'Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015;',
        'Xét Tờ trình số 112/TTr-UBND ngày 20 tháng 6 năm 2024 của Ủy ban nhân dân tỉnh về dự thảo Nghị quyết; Báo cáo thẩm tra của Ban Kinh tế - Ngân sách Hội đồng nhân dân tỉnh; ý kiến thảo luận của đại biểu Hội đồng nhân dân tỉnh tại kỳ họp.',
        'Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng. Nghị quyết này quy định mức chi hỗ trợ ứng dụng công nghệ thông tin, chuyển đổi số trong các cơ quan hành chính nhà nước trên địa bàn tỉnh Đồng Tháp, bao gồm chi xây dựng cơ sở dữ liệu, chi số hóa tài liệu lưu trữ và chi thuê dịch vụ công nghệ thông tin.',
        'Điều 2. Mức chi. Chi số hóa tài liệu lưu trữ tối đa 1.200 đồng cho mỗi trang tài liệu khổ A4; chi tạo lập thông tin có cấu trúc tối đa 2.500 đồng cho mỗi trường thông tin; chi thuê dịch vụ công nghệ thông tin theo dự toán được cấp có thẩm quyền phê duyệt và không vượt quá đơn giá do Ủy ban nhân dân tỉnh ban hành.',
        'Chi xây dựng, nâng cấp cơ sở dữ liệu chuyên ngành thực hiện theo dự án hoặc kế hoạch thuê dịch vụ được cấp có thẩm quyền phê duyệt; chi bảo đảm an toàn thông tin cho các hệ thống thông tin cấp độ 3 trở lên tối đa 150 triệu đồng cho mỗi hệ thống mỗi năm; chi đào tạo, bồi dưỡng kỹ năng số cho cán bộ, công chức, viên chức thực hiện theo quy định về chế độ công tác phí, chi hội nghị của tỉnh.',
        'Điều 3. Nguồn kinh phí. Kinh phí thực hiện Nghị quyết này được bố trí từ nguồn ngân sách tỉnh trong dự toán chi thường xuyên hằng năm của các cơ quan, đơn vị và các nguồn kinh phí hợp pháp khác theo quy định của pháp luật.',
        'Điều 4. Tổ chức thực hiện. Giao Ủy ban nhân dân tỉnh tổ chức triển khai thực hiện Nghị quyết này. Thường trực Hội đồng nhân dân, các Ban của Hội đồng nhân dân, các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh giám sát việc thực hiện Nghị quyết.',
        'Nghị quyết này đã được Hội đồng nhân dân tỉnh Đồng Tháp Khóa X, Kỳ họp thứ mười bảy thông qua ngày 12 tháng 7 năm 2024 và có hiệu lực từ ngày 22 tháng 7 năm 2024./.',
      ],
      signer: S.hdndCt, signerName: 'Phan Văn Thắng',
      recipients: ['Ủy ban Thường vụ Quốc hội', 'Chính phủ', 'Bộ Tài chính', 'Cục Kiểm tra VBQPPL - Bộ Tư pháp', 'TT/TU, UBND tỉnh', 'Đại biểu HĐND tỉnh', LUU('VP')],
    },
  },
  {
    id: 'qd-ubnd-lamdong', note: 'Quyết định with preamble authority line, 2-page PDF', delivery: 'pdf',
    doc: {
      issuer: I.ubndLamDong, type: 'QĐ', notation: '2309/QĐ-UBND', place: 'Lâm Đồng', date: '2025-10-15',
      subject: 'Phê duyệt Kế hoạch chuyển đổi số trong công tác văn thư, lưu trữ năm 2026', subjectStyle: 'plain',
      preamble: ['CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG'],
      body: [
        'Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;',
        'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;',
        'Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 415/TTr-SNV ngày 02 tháng 10 năm 2025.',
        'QUYẾT ĐỊNH:',
        'Điều 1. Phê duyệt Kế hoạch chuyển đổi số trong công tác văn thư, lưu trữ năm 2026 kèm theo Quyết định này, với mục tiêu 100% văn bản đi, đến được quản lý trên hệ thống quản lý văn bản và điều hành, trừ văn bản mật theo quy định.',
        'Nội dung chủ yếu của Kế hoạch gồm: hoàn thiện quy chế công tác văn thư, lưu trữ phù hợp với môi trường điện tử; nâng cấp hệ thống quản lý văn bản và điều hành bảo đảm kết nối liên thông bốn cấp chính quyền; số hóa tài liệu lưu trữ có giá trị sử dụng thường xuyên; triển khai lập hồ sơ điện tử và nộp lưu hồ sơ điện tử vào Lưu trữ cơ quan; đào tạo, bồi dưỡng kỹ năng số cho công chức làm công tác văn thư, lưu trữ.',
        'Kinh phí thực hiện Kế hoạch được bố trí từ nguồn ngân sách tỉnh năm 2026 theo phân cấp quản lý ngân sách hiện hành và các nguồn kinh phí hợp pháp khác; các cơ quan, đơn vị lập dự toán chi tiết gửi Sở Tài chính thẩm định theo quy định.',
        'Điều 2. Sở Nội vụ chủ trì, phối hợp với Sở Khoa học và Công nghệ và các cơ quan, đơn vị liên quan tổ chức triển khai Kế hoạch; định kỳ sáu tháng, một năm tổng hợp kết quả thực hiện, báo cáo Ủy ban nhân dân tỉnh. Sở Khoa học và Công nghệ bảo đảm hạ tầng kỹ thuật, an toàn thông tin cho hệ thống quản lý văn bản và điều hành của tỉnh. Sở Tài chính tham mưu bố trí kinh phí thực hiện Kế hoạch.',
        'Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở, Thủ trưởng các ban, ngành, Chủ tịch Ủy ban nhân dân các xã, phường và các tổ chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này. Quyết định này có hiệu lực kể từ ngày ký./.',
      ],
      signer: S.ubndKtPct, signerName: 'Võ Ngọc Hiệp',
      recipients: ['Như Điều 3', 'CT, các PCT UBND tỉnh', 'Cổng TTĐT tỉnh', LUU('NC')],
    },
  },
  {
    id: 'ct-ubnd-nghean', note: 'Chỉ thị pasted into the body and hard-wrapped by the mail client, recurring monthly report', delivery: 'wrapped-body',
    doc: {
      issuer: I.ubndNgheAn, type: 'CT', notation: '08/CT-UBND', place: 'Nghệ An', date: '2025-04-03',
      subject: 'Tăng cường sử dụng chữ ký số và gửi, nhận văn bản điện tử trong cơ quan hành chính nhà nước',
      body: [
        'Thời gian qua, việc gửi, nhận văn bản điện tử giữa các cơ quan hành chính nhà nước trên địa bàn tỉnh đã đạt được kết quả tích cực. Tuy nhiên, một số cơ quan vẫn gửi kèm bản giấy đối với văn bản đã ký số, làm phát sinh chi phí và thời gian xử lý.',
        'Để khắc phục tình trạng trên, Chủ tịch Ủy ban nhân dân tỉnh yêu cầu Thủ trưởng các sở, ban, ngành cấp tỉnh, Chủ tịch Ủy ban nhân dân các huyện, thành phố, thị xã thực hiện nghiêm các nội dung sau:',
        '1. Không gửi văn bản giấy đối với văn bản điện tử đã được ký số, trừ văn bản mật theo quy định của pháp luật.',
        '2. Định kỳ báo cáo kết quả thực hiện về Sở Khoa học và Công nghệ trước ngày 20 hằng tháng để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.',
      ],
      signer: S.ubndCt, signerName: 'Lê Hồng Vinh',
      recipients: ['Văn phòng Chính phủ (b/c)', 'TT Tỉnh ủy, TT HĐND tỉnh (b/c)', 'Các sở, ban, ngành cấp tỉnh', 'UBND các huyện, thành phố, thị xã', LUU('KGVX')],
      dueDate: null,
    },
  },
  {
    id: 'qc-ubnd-quangninh', note: 'Quy chế as DOCX', delivery: 'docx',
    doc: {
      issuer: I.ubndQuangNinh, type: 'QC', notation: '03/QC-UBND', place: 'Quảng Ninh', date: '2025-02-18',
      subject: 'Phối hợp quản lý, vận hành hệ thống thư điện tử công vụ của tỉnh',
      body: [
        'Chương I. QUY ĐỊNH CHUNG',
        'Điều 1. Quy chế này quy định nguyên tắc, nội dung và trách nhiệm phối hợp giữa Sở Khoa học và Công nghệ, Văn phòng Ủy ban nhân dân tỉnh và các cơ quan, đơn vị trong quản lý, vận hành hệ thống thư điện tử công vụ của tỉnh.',
        'Điều 2. Mỗi cơ quan, đơn vị có một địa chỉ thư điện tử công vụ chính thức để gửi, nhận văn bản; địa chỉ này được công khai trên Cổng thông tin điện tử của tỉnh.',
      ],
      signer: S.ktCt, signerName: 'Nguyễn Thị Hạnh',
      recipients: ['Các sở, ban, ngành', 'UBND các địa phương', LUU('TTTT')],
    },
  },
  {
    id: 'qyd-snv-camau', note: 'Quy định of a department (parent/unit issuer block), DOCX', delivery: 'docx',
    doc: {
      issuer: I.snvCaMau, type: 'QYĐ', notation: '02/QYĐ-SNV', place: 'Cà Mau', date: '2025-03-10',
      subject: 'Lập hồ sơ điện tử và nộp lưu hồ sơ vào lưu trữ cơ quan', subjectStyle: 've',
      body: [
        'Điều 1. Hồ sơ điện tử được lập trên hệ thống quản lý văn bản và điều hành ngay khi phát sinh văn bản đầu tiên của công việc.',
        'Điều 2. Công chức được giao giải quyết công việc có trách nhiệm nộp lưu hồ sơ điện tử vào lưu trữ cơ quan trong thời hạn 01 năm kể từ ngày công việc kết thúc.',
      ],
      signer: S.gd, signerName: 'Trần Văn Hiếu',
      recipients: ['Ban Giám đốc', 'Các phòng, đơn vị thuộc Sở', LUU('VP')],
    },
  },
  {
    id: 'tc-ubnd-cantho', note: 'Thông cáo báo chí in the body', delivery: 'body',
    doc: {
      issuer: I.ubndCanTho, type: 'TC', notation: '01/TC-UBND', place: 'Cần Thơ', date: '2025-09-02',
      subject: 'Kết quả thực hiện Đề án phát triển ứng dụng dữ liệu dân cư 9 tháng đầu năm 2025', subjectStyle: 'plain',
      body: [
        'Chín tháng đầu năm 2025, thành phố Cần Thơ đã hoàn thành 54/54 chỉ tiêu của Đề án, trong đó 100% hồ sơ thủ tục hành chính được tiếp nhận và trả kết quả trên môi trường điện tử.',
        'Ủy ban nhân dân thành phố thông cáo để các cơ quan thông tấn, báo chí được biết và phối hợp đưa tin.',
      ],
      signer: S.tlCvp, signerName: 'Trương Cảnh Tuyên',
      recipients: ['Các cơ quan báo chí', 'Cổng TTĐT thành phố', LUU('VP')],
    },
  },
  {
    id: 'tb-ubnd-danang', note: 'Thông báo kết luận, PDF with a stated deadline', delivery: 'pdf',
    doc: {
      issuer: I.ubndDaNang, type: 'TB', notation: '412/TB-UBND', place: 'Đà Nẵng', date: '2025-11-04',
      subject: 'Kết luận của Phó Chủ tịch Ủy ban nhân dân thành phố tại cuộc họp về triển khai hệ thống quản lý văn bản dùng chung', subjectStyle: 'plain',
      body: [
        'Ngày 31 tháng 10 năm 2025, Phó Chủ tịch Ủy ban nhân dân thành phố chủ trì cuộc họp nghe báo cáo tiến độ triển khai hệ thống quản lý văn bản dùng chung của thành phố. Tham dự có lãnh đạo Văn phòng Ủy ban nhân dân thành phố, Sở Khoa học và Công nghệ, Sở Nội vụ.',
        'Phó Chủ tịch Ủy ban nhân dân thành phố kết luận: giao Sở Khoa học và Công nghệ hoàn thành việc kết nối liên thông với Trục liên thông văn bản quốc gia, báo cáo kết quả trước ngày 15/12/2025.',
      ],
      signer: S.tlCvp, signerName: 'Nguyễn Hà Nam',
      recipients: ['CT, các PCT UBND thành phố', 'Sở Khoa học và Công nghệ', 'Sở Nội vụ', LUU('VP')],
      dueDate: '2025-12-15',
    },
  },
  {
    id: 'hd-sgddt-thanhhoa', note: 'Hướng dẫn of a department, 2-page PDF, deadline with hour', delivery: 'pdf',
    doc: {
      issuer: I.sgddtThanhHoa, type: 'HD', notation: '09/HD-SGDĐT', place: 'Thanh Hóa', date: '2025-08-20',
      subject: 'Thực hiện nhiệm vụ chuyển đổi số trong các cơ sở giáo dục năm học 2025-2026', subjectStyle: 'plain',
      body: [
        'Căn cứ Kế hoạch số 145/KH-UBND ngày 30 tháng 6 năm 2025 của Ủy ban nhân dân tỉnh về chuyển đổi số năm 2025; Sở Giáo dục và Đào tạo hướng dẫn thực hiện nhiệm vụ chuyển đổi số trong các cơ sở giáo dục năm học 2025-2026 như sau.',
        'I. Mục tiêu. 100% cơ sở giáo dục sử dụng hồ sơ điện tử thay cho hồ sơ giấy đối với sổ điểm, học bạ và sổ đăng bộ; 100% văn bản trao đổi giữa Sở và các đơn vị được ký số và gửi trên hệ thống quản lý văn bản.',
        'II. Nhiệm vụ cụ thể. 1. Các trường trung học phổ thông rà soát hạ tầng, đường truyền và thiết bị; xây dựng kế hoạch chuyển đổi số của đơn vị. 2. Phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố chỉ đạo các trường mầm non, tiểu học và trung học cơ sở triển khai học bạ số theo lộ trình của Bộ Giáo dục và Đào tạo.',
        '3. Các đơn vị cử cán bộ phụ trách công nghệ thông tin tham gia tập huấn về an toàn thông tin, bảo vệ dữ liệu cá nhân của học sinh và sử dụng chữ ký số chuyên dùng Chính phủ.',
        'III. Tổ chức thực hiện. Thủ trưởng các đơn vị chịu trách nhiệm triển khai Hướng dẫn này; gửi báo cáo kết quả thực hiện học kỳ I về Sở Giáo dục và Đào tạo (qua Văn phòng Sở) chậm nhất 17 giờ ngày 10/01/2026. Trong quá trình thực hiện, nếu có vướng mắc, các đơn vị phản ánh về Sở để được hướng dẫn.',
        'Sở Giáo dục và Đào tạo đề nghị các đơn vị nghiêm túc triển khai thực hiện./.',
      ],
      signer: S.ktGd, signerName: 'Lê Thị Thu Trang',
      recipients: ['Các trường THPT, TTGDNN-GDTX', 'Phòng GDĐT các huyện, thị xã, thành phố', 'Giám đốc, các PGĐ Sở', LUU('VP, CNTT')],
      dueDate: '2026-01-10',
    },
  },
  {
    id: 'ctr-ubnd-thaibinh', note: 'Chương trình, old province name kept, DOCX', delivery: 'docx',
    doc: {
      issuer: I.ubndThaiBinh, type: 'CTr', notation: '06/CTr-UBND', place: 'Thái Bình', date: '2024-01-22',
      subject: 'Công tác cải cách hành chính năm 2024', subjectStyle: 'plain',
      body: [
        'Thực hiện Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021-2030, Ủy ban nhân dân tỉnh ban hành Chương trình công tác cải cách hành chính năm 2024.',
        'Các sở, ngành, địa phương báo cáo kết quả thực hiện quý I trước ngày 15 tháng 3 năm 2024 về Sở Nội vụ để tổng hợp.',
      ],
      signer: S.ubndKtPct, signerName: 'Lại Văn Hoàn',
      recipients: ['Bộ Nội vụ (b/c)', 'Các sở, ban, ngành', 'UBND các huyện, thành phố', LUU('NC')],
      dueDate: '2024-03-15',
    },
  },
  {
    id: 'kh-ubnd-binhphuoc', note: 'Kế hoạch (as in seed 004), "UBND TỈNH" one-line issuer, PDF', delivery: 'pdf',
    doc: {
      issuer: I.ubndBinhPhuoc, type: 'KH', notation: '24/KH-UBND', place: 'Bình Phước', date: '2013-02-01',
      subject: 'Triển khai thực hiện Chỉ thị số 15/CT-TTg ngày 22/5/2012 của Thủ tướng Chính phủ về việc tăng cường sử dụng văn bản điện tử trong hoạt động của cơ quan nhà nước trên địa bàn tỉnh', subjectStyle: 'plain',
      body: [
        'I. MỤC ĐÍCH, YÊU CẦU',
        'Thay đổi cơ bản nhận thức của lãnh đạo, cán bộ, công chức, viên chức về phương thức làm việc, tạo môi trường làm việc điện tử hiện đại, tiết kiệm thời gian và chi phí.',
        'II. NỘI DUNG THỰC HIỆN',
        'Đến năm 2015, 100% cơ quan nhà nước trong tỉnh sử dụng phần mềm quản lý văn bản và hệ thống thư điện tử của tỉnh để trao đổi công văn, giấy mời họp, thông báo, tài liệu phục vụ họp.',
      ],
      signer: S.ubndKtPct, signerName: 'Huỳnh Anh Minh',
      recipients: ['Bộ Thông tin và Truyền thông (b/c)', 'TTTU, TT HĐND tỉnh (b/c)', 'Các sở, ban, ngành', 'UBND các huyện, thị xã', LUU('VX')],
    },
  },
  {
    id: 'pa-ubnd-quangninh', note: 'Phương án in the body (hard-wrapped), KHẨN', delivery: 'wrapped-body',
    doc: {
      issuer: I.ubndQuangNinh, type: 'PA', notation: '17/PA-UBND', place: 'Quảng Ninh', date: '2025-07-21', urgency: 'khan',
      subject: 'Bảo đảm thông tin liên lạc phục vụ chỉ đạo, điều hành ứng phó bão số 3', subjectStyle: 'plain',
      body: [
        'Để chủ động bảo đảm thông tin liên lạc thông suốt phục vụ công tác chỉ đạo, điều hành ứng phó với bão số 3, Ủy ban nhân dân tỉnh ban hành Phương án như sau:',
        '1. Các doanh nghiệp viễn thông bố trí trạm phát sóng di động dự phòng tại các xã ven biển, khu vực hải đảo.',
        '2. Văn phòng Ủy ban nhân dân tỉnh duy trì hệ thống hội nghị trực tuyến 24/24 giờ trong thời gian bão ảnh hưởng.',
      ],
      signer: S.ubndKtPct, signerName: 'Nghiêm Xuân Cường',
      recipients: ['Ban Chỉ huy PCTT và TKCN tỉnh', 'Các doanh nghiệp viễn thông', 'UBND các địa phương', LUU('VP')],
    },
  },
  {
    id: 'da-ubnd-hanoi', note: 'Đề án (ĐA), PDF', delivery: 'pdf',
    doc: {
      issuer: I.ubndHaNoi, type: 'ĐA', notation: '01/ĐA-UBND', place: 'Hà Nội', date: '2025-05-16',
      subject: 'Xây dựng kho dữ liệu văn bản điện tử dùng chung của thành phố Hà Nội giai đoạn 2025-2030', subjectStyle: 'plain',
      body: [
        'Phần thứ nhất. SỰ CẦN THIẾT XÂY DỰNG ĐỀ ÁN',
        'Khối lượng văn bản điện tử của các cơ quan thành phố tăng nhanh, nhưng được lưu trữ phân tán trên nhiều hệ thống, chưa được khai thác, chia sẻ hiệu quả.',
        'Phần thứ hai. MỤC TIÊU. Đến năm 2030, 100% văn bản điện tử của các cơ quan hành chính thành phố được lưu trữ tập trung, có thể tra cứu theo số, ký hiệu, trích yếu và cơ quan ban hành.',
      ],
      signer: S.ubndCt, signerName: 'Trần Sỹ Thanh',
      recipients: ['Thường trực Thành ủy (b/c)', 'Các sở, ban, ngành thành phố', LUU('KGVX')],
    },
  },
  {
    id: 'duan-snn-daklak', note: 'Dự án (DA, no Đ), DOCX', delivery: 'docx',
    doc: {
      issuer: I.snnDakLak, type: 'DA', notation: '02/DA-SNN', place: 'Đắk Lắk', date: '2025-06-09',
      subject: 'Ứng dụng bản đồ số quản lý vùng trồng cà phê', subjectStyle: 'plain',
      body: [
        'Tên dự án: Ứng dụng bản đồ số quản lý vùng trồng cà phê trên địa bàn tỉnh Đắk Lắk.',
        'Thời gian thực hiện: 24 tháng. Kinh phí dự kiến: 4.850 triệu đồng từ nguồn sự nghiệp khoa học và công nghệ.',
      ],
      signer: S.ktGd, signerName: 'Huỳnh Quốc Thích',
      recipients: ['UBND tỉnh (b/c)', 'Sở Tài chính', LUU('KHTC')],
    },
  },
  {
    id: 'bc-sttt-binhthuan', note: 'Báo cáo of a department under UBND, 2-page PDF', delivery: 'pdf',
    doc: {
      issuer: I.sttttBinhThuan, type: 'BC', notation: '215/BC-STTTT', place: 'Bình Thuận', date: '2024-12-05',
      subject: 'Tình hình sử dụng văn bản điện tử trong cơ quan nhà nước năm 2024', subjectStyle: 'plain',
      body: [
        'Thực hiện Chỉ thị số 25/CT-UBND ngày 18 tháng 7 năm 2012 của Ủy ban nhân dân tỉnh về tăng cường sử dụng văn bản điện tử trong hoạt động của các cơ quan nhà nước, Sở Thông tin và Truyền thông báo cáo tình hình thực hiện năm 2024 như sau:',
        'I. KẾT QUẢ ĐẠT ĐƯỢC',
        '1. Hạ tầng kỹ thuật. Mạng truyền số liệu chuyên dùng đã kết nối đến 100% sở, ban, ngành, Ủy ban nhân dân cấp huyện và 124/124 xã, phường, thị trấn. Trung tâm dữ liệu của tỉnh vận hành ổn định, bảo đảm an toàn thông tin theo cấp độ 3.',
        '2. Gửi, nhận văn bản điện tử. Tỷ lệ văn bản đi được ký số và gửi hoàn toàn trên môi trường mạng đạt 97,6%; tỷ lệ văn bản đến được tiếp nhận và xử lý trên hệ thống quản lý văn bản đạt 99,1%. Hệ thống thư điện tử công vụ cấp 6.842 hộp thư, trong đó 91% được sử dụng thường xuyên.',
        '3. Chữ ký số. Đã cấp 3.215 chứng thư số cho cá nhân và 412 chứng thư số cho cơ quan, đơn vị; 100% lãnh đạo các cơ quan sử dụng chữ ký số trên thiết bị di động.',
        '4. Hệ thống quản lý văn bản và điều hành. 100% sở, ban, ngành, Ủy ban nhân dân cấp huyện và cấp xã sử dụng hệ thống quản lý văn bản và điều hành dùng chung của tỉnh; hệ thống đã kết nối với Trục liên thông văn bản quốc gia, gửi 48.312 văn bản và nhận 51.207 văn bản trong năm. Thời gian xử lý bình quân một văn bản đến giảm từ 4,2 ngày năm 2023 xuống còn 2,8 ngày.',
        '5. Lập hồ sơ điện tử. 27/31 cơ quan cấp tỉnh đã thực hiện lập hồ sơ công việc trên hệ thống; tỷ lệ hồ sơ điện tử được nộp lưu vào Lưu trữ cơ quan đạt 42%. Sở Nội vụ đã tổ chức 06 lớp tập huấn về lập hồ sơ điện tử cho 540 lượt công chức.',
        'II. TỒN TẠI, HẠN CHẾ. Một số đơn vị cấp xã còn in văn bản điện tử ra giấy để trình ký; việc lập hồ sơ điện tử chưa được thực hiện đồng bộ; một số phần mềm chuyên ngành chưa kết nối với hệ thống quản lý văn bản.',
        'III. ĐỀ XUẤT. Đề nghị Ủy ban nhân dân tỉnh chỉ đạo các cơ quan, đơn vị tiếp tục thực hiện nghiêm việc gửi, nhận văn bản điện tử, không gửi kèm bản giấy đối với văn bản đã được ký số; bố trí kinh phí nâng cấp hệ thống quản lý văn bản năm 2025./.',
      ],
      signer: S.gd, signerName: 'Lê Tiến Phương',
      recipients: ['UBND tỉnh (b/c)', 'Bộ Thông tin và Truyền thông (b/c)', 'Giám đốc, các PGĐ Sở', LUU('VP, CNTT')],
    },
  },
  {
    id: 'bb-stc-hue', note: 'Biên bản as a .txt attachment', delivery: 'txt',
    doc: {
      issuer: I.stcHue, type: 'BB', notation: '07/BB-STC', place: 'Huế', date: '2025-08-28',
      subject: 'Bàn giao hồ sơ, tài liệu điện tử của Phòng Quản lý ngân sách', subjectStyle: 'plain',
      body: [
        'Hôm nay, vào lúc 14 giờ 00 ngày 28 tháng 8 năm 2025, tại trụ sở Sở Tài chính thành phố Huế, chúng tôi gồm: Bên giao là Phòng Quản lý ngân sách; Bên nhận là Văn phòng Sở.',
        'Hai bên thống nhất bàn giao 1.245 hồ sơ điện tử và 36 hộp tài liệu giấy đã số hóa. Biên bản được lập thành 03 bản có giá trị như nhau.',
      ],
      signer: S.ktGd, signerName: 'Hoàng Thị Minh Châu',
      recipients: ['Giám đốc Sở (b/c)', 'Phòng QLNS', LUU('VP')],
    },
  },
  {
    id: 'ttr-snv-camau', note: 'Tờ trình (TTr) of a department, DOCX', delivery: 'docx',
    doc: {
      issuer: I.snvCaMau, type: 'TTr', notation: '45/TTr-SNV', place: 'Cà Mau', date: '2025-09-19',
      subject: 'Đề nghị ban hành Quy chế công tác văn thư của Ủy ban nhân dân tỉnh',
      kinhGui: ['Ủy ban nhân dân tỉnh Cà Mau'],
      body: [
        'Kính gửi: Ủy ban nhân dân tỉnh Cà Mau.',
        'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư, Sở Nội vụ kính trình Ủy ban nhân dân tỉnh xem xét, ban hành Quy chế công tác văn thư của Ủy ban nhân dân tỉnh (dự thảo kèm theo).',
      ],
      signer: S.gd, signerName: 'Nguyễn Văn Quân',
      recipients: ['Như trên', 'Giám đốc Sở', LUU('VT, CCVTLT')],
    },
  },
];
