#include "applications/photo_check.hpp"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE

#include <jpeglib.h>

namespace uslugi::applications {

namespace {

// libjpeg reports a fatal error by calling error_exit, which must not return:
// it jumps back to decode(). No C++ object with a destructor lives between
// the setjmp and the jump (the scanline buffer belongs to libjpeg's pool).
struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
};

void on_fatal(j_common_ptr cinfo) { std::longjmp(reinterpret_cast<ErrorManager*>(cinfo->err)->jump, 1); }
void on_message(j_common_ptr) {}  // warnings are counted, not printed

struct JpegFacts {
    bool readable = false;  // the header parsed
    bool whole = false;     // every scanline decoded without a warning
    int width = 0, height = 0, components = 0;
    J_COLOR_SPACE space = JCS_UNKNOWN;
};

bool within_limits(const JpegFacts& f) {
    return f.width >= kMinPhotoWidth && f.height >= kMinPhotoHeight && f.width <= kMaxPhotoWidth &&
           f.height <= kMaxPhotoHeight;
}

// Reads the header, and decodes the whole image only when its size is within
// the limits (a huge image is refused before it costs memory). Writes what it
// learns through `f`, so the facts survive a jump out of libjpeg.
void read_image(jpeg_decompress_struct& cinfo, const ErrorManager& errors, std::string_view bytes, JpegFacts& f) {
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&cinfo, TRUE);
    f.readable = true;
    f.width = static_cast<int>(cinfo.image_width);
    f.height = static_cast<int>(cinfo.image_height);
    f.components = cinfo.num_components;
    f.space = cinfo.jpeg_color_space;
    if (!within_limits(f)) return;
    jpeg_start_decompress(&cinfo);
    JSAMPARRAY row = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                                cinfo.output_width * cinfo.output_components, 1);
    while (cinfo.output_scanline < cinfo.output_height) jpeg_read_scanlines(&cinfo, row, 1);
    jpeg_finish_decompress(&cinfo);
    f.whole = errors.pub.num_warnings == 0;
}

JpegFacts decode(std::string_view bytes) {
    JpegFacts f;
    jpeg_decompress_struct cinfo;
    ErrorManager errors;
    cinfo.err = jpeg_std_error(&errors.pub);
    errors.pub.error_exit = on_fatal;
    errors.pub.output_message = on_message;
    jpeg_create_decompress(&cinfo);
    if (setjmp(errors.jump) == 0) read_image(cinfo, errors, bytes, f);
    jpeg_destroy_decompress(&cinfo);
    return f;
}

bool is_jpeg(std::string_view b) {
    return b.size() >= 3 && static_cast<unsigned char>(b[0]) == 0xFF && static_cast<unsigned char>(b[1]) == 0xD8 &&
           static_cast<unsigned char>(b[2]) == 0xFF;
}

}  // namespace

bool is_file_check(std::string_view name) { return name == "passport_photo"; }

std::string run_file_check(std::string_view name, std::string_view bytes) {
    if (name == "passport_photo") return check_passport_photo(bytes);
    return "photo.error.not_jpeg";
}

std::string check_passport_photo(std::string_view bytes) {
    if (!is_jpeg(bytes)) return "photo.error.not_jpeg";
    if (bytes.size() > kMaxPhotoBytes) return "photo.error.too_big";
    const JpegFacts f = decode(bytes);
    if (!f.readable) return "photo.error.broken";
    if (f.width < kMinPhotoWidth || f.height < kMinPhotoHeight) return "photo.error.too_small";
    if (f.width > kMaxPhotoWidth || f.height > kMaxPhotoHeight) return "photo.error.too_large";
    // 35 × 45: width / height = 7 / 9, give or take 3 % (compared in integers).
    const long long w9 = 9LL * f.width, h7 = 7LL * f.height;
    if (w9 * 100 < h7 * 97 || w9 * 100 > h7 * 103) return "photo.error.proportions";
    if (!f.whole) return "photo.error.broken";
    if (f.components != 3 || (f.space != JCS_YCbCr && f.space != JCS_RGB)) return "photo.error.not_colour";
    return "";
}

}  // namespace uslugi::applications
