// The passport photo checks (photo_check.hpp) on images made here with
// libjpeg: the right one passes; wrong type, size, proportions, colour, weight
// and a file cut short are each refused with their own message.
#include <gtest/gtest.h>

#include "applications/model.hpp"
#include "applications/photo_check.hpp"

#include <csetjmp>
#include <cstdio>
#include <vector>

#include <jpeglib.h>

using namespace uslugi::applications;

namespace {

// A JPEG of w × h pixels: colour (3 components) or grey (1); noise makes it heavy.
std::string make_jpeg(int w, int h, int components = 3, int quality = 80, bool noise = false) {
    jpeg_compress_struct c;
    jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char* out = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &out, &size);
    c.image_width = static_cast<JDIMENSION>(w);
    c.image_height = static_cast<JDIMENSION>(h);
    c.input_components = components;
    c.in_color_space = components == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    std::vector<unsigned char> row(static_cast<std::size_t>(w * components));
    unsigned seed = 12345;
    while (c.next_scanline < c.image_height) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            seed = seed * 1103515245 + 12345;
            row[i] = noise ? static_cast<unsigned char>(seed >> 16) : static_cast<unsigned char>((i + c.next_scanline) % 256);
        }
        JSAMPROW rows[1] = {row.data()};
        jpeg_write_scanlines(&c, rows, 1);
    }
    jpeg_finish_compress(&c);
    std::string bytes(reinterpret_cast<const char*>(out), size);
    jpeg_destroy_compress(&c);
    free(out);
    return bytes;
}

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\x9d\0\0\x02\x13\x08\x02\0\0\0", 29);

}  // namespace

TEST(PassportPhoto, AColourJpegOfTheRightSizeAndProportionsPasses) {
    EXPECT_EQ(check_passport_photo(make_jpeg(413, 531)), "");
    EXPECT_EQ(check_passport_photo(make_jpeg(700, 900)), "");
}

TEST(PassportPhoto, WrongTypeByContentIsRefused) {
    EXPECT_EQ(check_passport_photo(kPng), "photo.error.not_jpeg");
    EXPECT_EQ(check_passport_photo("%PDF-1.4\n%%EOF\n"), "photo.error.not_jpeg");
    EXPECT_EQ(check_passport_photo(""), "photo.error.not_jpeg");
}

TEST(PassportPhoto, PixelSizeIsChecked) {
    EXPECT_EQ(check_passport_photo(make_jpeg(350, 450)), "photo.error.too_small");
    EXPECT_EQ(check_passport_photo(make_jpeg(413, 530)), "photo.error.too_small");
    EXPECT_EQ(check_passport_photo(make_jpeg(1750, 2250, 3, 10)), "photo.error.too_large");
}

TEST(PassportPhoto, ProportionsAreThoseOf35By45) {
    EXPECT_EQ(check_passport_photo(make_jpeg(600, 600)), "photo.error.proportions");  // square
    EXPECT_EQ(check_passport_photo(make_jpeg(600, 531)), "photo.error.proportions");  // landscape
    EXPECT_EQ(check_passport_photo(make_jpeg(420, 600)), "photo.error.proportions");  // 0.70 < 0.7778 − 3 %
    EXPECT_EQ(check_passport_photo(make_jpeg(430, 545)), "");                         // 0.789: within 3 %
}

TEST(PassportPhoto, GreyIsNotColour) {
    EXPECT_EQ(check_passport_photo(make_jpeg(413, 531, 1)), "photo.error.not_colour");
}

TEST(PassportPhoto, TooHeavyAndCutShortAreRefused) {
    const std::string heavy = make_jpeg(700, 900, 3, 100, true);
    ASSERT_GT(heavy.size(), kMaxPhotoBytes);
    EXPECT_EQ(check_passport_photo(heavy), "photo.error.too_big");
    const std::string whole = make_jpeg(413, 531);
    EXPECT_EQ(check_passport_photo(whole.substr(0, whole.size() / 2)), "photo.error.broken");
    EXPECT_EQ(check_passport_photo(whole.substr(0, 40)), "photo.error.broken");  // the header itself is cut
}

TEST(PassportPhoto, FormsNameOnlyKnownChecksOnFileFields) {
    EXPECT_TRUE(is_file_check("passport_photo"));
    EXPECT_FALSE(is_file_check("selfie"));
    const auto form = [](const char* type, const char* check) {
        return nlohmann::json{{"service", "s"},
                              {"steps", {{{"id", "one"}, {"title", {{"ru", "Шаг"}, {"en", "Step"}}},
                                          {"fields", {{{"id", "photo"}, {"type", type}, {"label", {{"ru", "Фото"}, {"en", "Photo"}}},
                                                       {"file_check", check}}}}}}}};
    };
    EXPECT_EQ(parse_form(form("file", "passport_photo")).steps[0].fields[0].file_check, "passport_photo");
    EXPECT_THROW(parse_form(form("file", "selfie")), std::invalid_argument);
    EXPECT_THROW(parse_form(form("text", "passport_photo")), std::invalid_argument);
}
