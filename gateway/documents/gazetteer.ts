/**
 * Proper names that upper-case headings lose: provinces and centrally-run cities (the 63 before
 * the 2025 merger, which old documents keep, and the 2025 names), plus national bodies that are
 * always capitalised inside a sentence. Used to restore case in subjects and issuer names.
 */

export const CITIES = ['Hà Nội', 'Hồ Chí Minh', 'Hải Phòng', 'Đà Nẵng', 'Cần Thơ', 'Huế'];

export const PROVINCES = [
  'An Giang', 'Bà Rịa - Vũng Tàu', 'Bắc Giang', 'Bắc Kạn', 'Bạc Liêu', 'Bắc Ninh', 'Bến Tre', 'Bình Định',
  'Bình Dương', 'Bình Phước', 'Bình Thuận', 'Cà Mau', 'Cao Bằng', 'Đắk Lắk', 'Đắk Nông', 'Điện Biên',
  'Đồng Nai', 'Đồng Tháp', 'Gia Lai', 'Hà Giang', 'Hà Nam', 'Hà Tĩnh', 'Hải Dương', 'Hậu Giang', 'Hòa Bình',
  'Hưng Yên', 'Khánh Hòa', 'Kiên Giang', 'Kon Tum', 'Lai Châu', 'Lâm Đồng', 'Lạng Sơn', 'Lào Cai', 'Long An',
  'Nam Định', 'Nghệ An', 'Ninh Bình', 'Ninh Thuận', 'Phú Thọ', 'Phú Yên', 'Quảng Bình', 'Quảng Nam',
  'Quảng Ngãi', 'Quảng Ninh', 'Quảng Trị', 'Sóc Trăng', 'Sơn La', 'Tây Ninh', 'Thái Bình', 'Thái Nguyên',
  'Thanh Hóa', 'Thừa Thiên Huế', 'Tiền Giang', 'Trà Vinh', 'Tuyên Quang', 'Vĩnh Long', 'Vĩnh Phúc', 'Yên Bái',
];

/** Bodies and names written with capitals inside sentences (Decree 30, Appendix II). */
export const PROPER_PHRASES = [
  'Thủ tướng Chính phủ', 'Chính phủ', 'Quốc hội', 'Ủy ban Thường vụ Quốc hội', 'Chủ tịch nước',
  'Văn phòng Chính phủ', 'Bộ Chính trị', 'Ban Chấp hành Trung ương', 'Việt Nam', 'Đảng Cộng sản Việt Nam',
  'Mặt trận Tổ quốc Việt Nam', 'Tết Nguyên đán', 'Quốc khánh',
  'Bộ Nội vụ', 'Bộ Tài chính', 'Bộ Thông tin và Truyền thông', 'Bộ Khoa học và Công nghệ', 'Bộ Tư pháp',
  'Bộ Y tế', 'Bộ Giáo dục và Đào tạo', 'Bộ Công an', 'Bộ Quốc phòng', 'Bộ Xây dựng', 'Bộ Công Thương',
  'Bộ Kế hoạch và Đầu tư', 'Bộ Tài nguyên và Môi trường', 'Bộ Nông nghiệp và Phát triển nông thôn',
  'Bộ Giao thông vận tải', 'Bộ Lao động - Thương binh và Xã hội', 'Bộ Văn hóa, Thể thao và Du lịch',
  'Sở Nội vụ', 'Sở Tài chính', 'Sở Thông tin và Truyền thông', 'Sở Khoa học và Công nghệ', 'Sở Tư pháp',
  'Sở Y tế', 'Sở Giáo dục và Đào tạo', 'Sở Xây dựng', 'Sở Công Thương', 'Sở Kế hoạch và Đầu tư',
  'Sở Tài nguyên và Môi trường', 'Sở Nông nghiệp và Phát triển nông thôn', 'Sở Giao thông vận tải',
  'Sở Lao động - Thương binh và Xã hội', 'Sở Văn hóa, Thể thao và Du lịch', 'Sở Văn hóa và Thể thao',
  'Sở Nông nghiệp và Môi trường', 'Sở Dân tộc và Tôn giáo', 'Sở Khoa học và Công nghệ',
  'Công an tỉnh', 'Kho bạc Nhà nước', 'Bảo hiểm xã hội',
];

/** Words after which a place name follows in an issuer's name ("tỉnh Bến Tre"). */
export const ADMIN_LEVELS = ['thành phố', 'thị xã', 'thị trấn', 'tỉnh', 'huyện', 'quận', 'xã', 'phường'];
