#pragma once
// The checks of a passport photo upload (APP-5, foreign passport), read from
// the decoded image itself (libjpeg), never from its name: a colour JPEG,
// not too heavy, at least 413 × 531 pixels (35 × 45 mm at 300 dpi) and at
// most 4× that, in the proportions of 35 × 45 within 3 %, and whole (a file
// cut short decodes with warnings and is refused).
#include <cstddef>
#include <string>
#include <string_view>

namespace uslugi::applications {

inline constexpr std::size_t kMaxPhotoBytes = 300 * 1024;
inline constexpr int kMinPhotoWidth = 413, kMinPhotoHeight = 531;
inline constexpr int kMaxPhotoWidth = 4 * kMinPhotoWidth, kMaxPhotoHeight = 4 * kMinPhotoHeight;

// The names a form's file field may give as "file_check".
bool is_file_check(std::string_view name);
// "" when the bytes pass the named check, else the locale key of the first
// problem (photo.error.*). An unknown name passes nothing.
std::string run_file_check(std::string_view name, std::string_view bytes);
// The passport photo check itself.
std::string check_passport_photo(std::string_view bytes);

}  // namespace uslugi::applications
