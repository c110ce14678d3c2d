#pragma once
// Pages and /api/v1/ twins of the confirmed level by a qualified electronic
// signature (ID-3c): /account/confirm/signature (what to do, the challenge,
// the upload), the challenge's download, and the upload itself (a .sig file
// or pasted Base64/PEM). Signed-in users only, always their own account.
#include "core/config.hpp"
#include "http/render.hpp"
#include "http/router.hpp"
#include "identity/signature_confirmation.hpp"

namespace uslugi::identity {

void register_signature_routes(http::Router& router, const http::Renderer& renderer,
                               SignatureConfirmation& signatures, const core::Config& config);

}  // namespace uslugi::identity
